/**
 * The one place espeak-ng is run: speech for Text to Speech, and the voice list that both Text to Speech and Campaign
 * (the webhook's voiceMap check) hold voice names against. Arguments are an array (no shell); text goes through stdin.
 */
import { execFile, spawn } from 'node:child_process';
import { parseEspeakVoices, parseEspeakVoiceTable, type EspeakVoiceRow, type EspeakVoices } from '../voices';

export const ESPEAK_BIN = process.env.REELSMITH_ESPEAK_PATH || 'espeak-ng';

export const ESPEAK_MISSING = `${ESPEAK_BIN} is not installed or not on PATH. Install espeak-ng (Debian: apt-get install espeak-ng) or set REELSMITH_ESPEAK_PATH.`;

/** Runs espeak-ng; resolves with its output, or with its error message when it failed. */
export function runEspeak(args: string[]): Promise<{ stdout: string; error?: string }> {
	return new Promise((resolve) => {
		// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions -- espeak-ng is the offline speech engine; arguments are an array (no shell) and the text goes through a file
		execFile(ESPEAK_BIN, args, { timeout: 120_000, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
			if (!error) return resolve({ stdout: String(stdout) });
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return resolve({ stdout: '', error: ESPEAK_MISSING });
			resolve({ stdout: String(stdout), error: String(stderr || error.message).trim() });
		});
	});
}

/**
 * Speaks `text` (given on stdin, so a line starting with "-" cannot become an option) and resolves with the WAV
 * espeak-ng writes to stdout: no text file, no WAV file to write and read back for every line.
 */
export function speakToWav(args: string[], text: string): Promise<{ audio?: Buffer; error?: string }> {
	return new Promise((resolve) => {
		// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions -- espeak-ng is the offline speech engine; arguments are an array (no shell) and the text goes through stdin
		const child = spawn(ESPEAK_BIN, [...args, '--stdout', '--stdin'], { stdio: ['pipe', 'pipe', 'pipe'], timeout: 120_000 });
		const out: Buffer[] = [];
		const err: Buffer[] = [];
		child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
		child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
		// A speaker that exits early (a bad voice) closes stdin; its exit code says what happened.
		child.stdin.on('error', () => undefined);
		child.on('error', (error: NodeJS.ErrnoException) =>
			resolve({ error: error.code === 'ENOENT' ? ESPEAK_MISSING : error.message }),
		);
		child.on('close', (code, signal) => {
			if (code === 0) return resolve({ audio: Buffer.concat(out) });
			const message = Buffer.concat(err).toString('utf8').trim();
			resolve({ error: message || `exited with ${signal ?? `code ${code}`}` });
		});
		child.stdin.end(text, 'utf8');
	});
}

let voices: Promise<EspeakVoices> | undefined;

/** The languages and variants this host's espeak-ng has (`--voices`, `--voices=variant`), read once per process. */
export function espeakVoices(): Promise<EspeakVoices> {
	voices ??= (async () => {
		const [languages, variants] = await Promise.all([runEspeak(['--voices']), runEspeak(['--voices=variant'])]);
		const failed = languages.error ?? variants.error;
		if (failed) {
			voices = undefined;
			throw new Error(failed === ESPEAK_MISSING ? failed : `espeak-ng could not list its voices: ${failed}`);
		}
		return parseEspeakVoices(languages.stdout, variants.stdout);
	})();
	return voices;
}

/** The language voices of this host's espeak-ng with their names (`--voices`), for a voice list people choose from. */
export async function espeakVoiceTable(): Promise<EspeakVoiceRow[]> {
	const { stdout, error } = await runEspeak(['--voices']);
	if (error) throw new Error(error === ESPEAK_MISSING ? error : `espeak-ng could not list its voices: ${error}`);
	return parseEspeakVoiceTable(stdout);
}
