import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import voices from '../data/voices.json';
import { pcmDuration, readWav } from '../lib/wav';
import type { SpeechProvider, SpeechProviderDefinition, SpeechRequest, SpeechResult, Voice } from './types';

export const ESPEAK_BIN = process.env.REELSMITH_ESPEAK_PATH || 'espeak-ng';

const DATA = voices.espeak;
const VOICES = DATA.voices as Array<Voice & { pitch?: number; rate?: number }>;

/** espeak voice ids: language, optional "+variant". Anything else never reaches the command line. */
const VOICE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*(\+[A-Za-z0-9_. -]+)?$/;

let counter = 0;

/** Runs espeak-ng; resolves with its error message, or undefined when it succeeded. */
function run(args: string[]): Promise<string | undefined> {
	return new Promise((resolve) => {
		// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions -- espeak-ng is the offline speech engine; arguments are an array (no shell) and the text goes through a file
		execFile(ESPEAK_BIN, args, { timeout: 120_000, maxBuffer: 1024 * 1024 }, (error, _stdout, stderr) => {
			if (!error) return resolve(undefined);
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
				return resolve(
					`${ESPEAK_BIN} is not installed or not on PATH. Install espeak-ng (Debian: apt-get install espeak-ng) or set REELSMITH_ESPEAK_PATH.`,
				);
			}
			resolve(String(stderr || error.message).trim());
		});
	});
}

class EspeakProvider implements SpeechProvider {
	readonly name = 'espeak';
	readonly model = 'espeak-ng';

	async synthesize(request: SpeechRequest): Promise<SpeechResult> {
		const voice = request.voice.trim();
		if (!VOICE_ID.test(voice)) {
			throw new Error(`"${request.voice}" is not an espeak-ng voice name. Use e.g. en-us+f3 (language + variant).`);
		}
		const known = VOICES.find((entry) => entry.id === voice);
		const rate = clampInt(request.rate ?? known?.rate ?? DATA.rate, 80, 450);
		const pitch = clampInt(request.pitch ?? known?.pitch ?? 50, 0, 99);
		counter += 1;
		const base = join(request.directory, `espeak-${process.pid}-${counter}`);
		// The text goes through a file (-f), never argv: a line starting with "-" cannot become an option.
		await writeFile(`${base}.txt`, request.text, 'utf8');
		const failure = await run(['-b', '1', '-v', voice, '-s', String(rate), '-p', String(pitch), '-w', `${base}.wav`, '-f', `${base}.txt`]);
		if (failure && /voice does not exist|Failed to read voice/i.test(failure)) {
			throw new Error(
				`espeak-ng has no voice "${voice}". Pick one from the voice list (e.g. ${DATA.characterVoices.slice(0, 3).join(', ')}) or run espeak-ng --voices.`,
			);
		}
		if (failure) throw new Error(`espeak-ng failed for voice "${voice}": ${failure}`);
		const file = `${base}.wav`;
		return { file, duration: pcmDuration(await readWav(file)) };
	}

	async listVoices(): Promise<Voice[]> {
		return VOICES.map(({ id, name, language, gender }) => ({ id, name, language, gender }));
	}
}

function clampInt(value: number, low: number, high: number): number {
	const number = Math.round(Number(value));
	return Number.isFinite(number) ? Math.min(high, Math.max(low, number)) : low;
}

export const espeakProvider: SpeechProviderDefinition = {
	name: 'espeak',
	displayName: 'espeak-ng (offline)',
	description: 'Speech synthesised on this machine: no account, no cost, robotic but clear',
	narratorVoice: DATA.narrator,
	characterVoices: DATA.characterVoices,
	voices: VOICES.map(({ id, name, language, gender }) => ({ id, name, language, gender })),
	create: () => new EspeakProvider(),
};
