import assert from 'node:assert/strict';
import { beforeAll, describe, test } from 'vitest';
import type { IDataObject } from 'n8n-workflow';
import { lineKey, narrationKey, speechKey } from '../../nodes/shared/keys';
import type { Character } from '../../nodes/shared/plan';
import { espeakVoices } from '../../nodes/shared/transport/espeak';
import { ffprobe } from '../../nodes/shared/transport/ffmpeg';
import { espeakVoiceProblem } from '../../nodes/shared/voices';
import { TextToSpeech } from '../../nodes/TextToSpeech/TextToSpeech.node';
import voices from '../../nodes/TextToSpeech/data/voices.json';
import { downloadTo, useS3 } from '../helpers/s3';
import { mountTinyDisk } from '../helpers/tiny-disk';
import { useWorkDir } from '../helpers/work-dir';
import { executeContext, meanVolume, type Parameter } from '../video-generation/context';
import { makeScene } from '../video-generation/scenes';

const s3 = useS3();
const work = useWorkDir('reelsmith-tts-node-');

const characters: Character[] = [
	{ name: 'ALICE', lines: 2, scenes: [1, 2], description: '' },
	{ name: 'BOB', lines: 2, scenes: [1, 2], description: '' },
];

const defaults: Record<string, Parameter> = {
	operation: 'synthesizeScene',
	provider: 'espeak',
	scene: (json: IDataObject) => json.scene,
	characters: (json: IDataObject) => json.characters,
	voiceMap: (json: IDataObject) => (json.options as IDataObject | undefined)?.voiceMap,
	narratorVoice: 'en-gb+m3',
	narrateAction: (json: IDataObject) => (json.options as IDataObject | undefined)?.narrateAction,
	gap: 0.3,
	// outputPrefix stays empty, as its default: files go to the scene's standard folder (keys.lineKey, keys.narrationKey).
	options: { concurrency: 2 },
};

function sceneItem(sceneNumber: number, scene: Partial<ReturnType<typeof makeScene>>, options: IDataObject = {}): IDataObject {
	return {
		runId: 'run-tts',
		sceneNumber,
		scene: makeScene({ number: sceneNumber, ...scene }) as unknown as IDataObject,
		characters: characters as unknown as IDataObject[],
		options: { narrateAction: 'whenNoDialogue', voiceMap: {}, ...options },
	};
}

async function run(items: IDataObject[], options: { continueOnFail?: boolean; parameters?: Record<string, Parameter> } = {}) {
	const context = executeContext({
		items,
		parameters: { ...defaults, ...options.parameters },
		s3,
		continueOnFail: options.continueOnFail,
		nodeName: 'Text to Speech',
	});
	const [output] = await new TextToSpeech().execute.call(context);
	return output;
}

interface Line {
	speaker: string;
	text: string;
	kind: string;
	start: number;
	end: number;
	key: string;
	voice: string;
}
interface Narration {
	bucket: string;
	key: string;
	duration: number;
	lines: Line[];
}

const download = (key: string, name: string) => downloadTo(s3, key, work.file(name));

describe('Text to Speech node: synthesizeScene', () => {
	let first: Narration;
	let second: Narration;

	beforeAll(async () => {
		const output = await run([
			sceneItem(1, {
				dialogue: [
					{ speaker: 'ALICE', text: 'Who calls at this hour?', parenthetical: 'whispering' },
					{ speaker: 'BOB', text: "It's me. Open the door, I'm soaked." },
				],
			}),
			sceneItem(2, {
				dialogue: [
					{ speaker: 'BOB (V.O.)', text: 'You never answer the first time.' },
					{ speaker: 'ALICE', text: 'Because it is always you, Bob.' },
				],
			}),
		]);
		assert.deepEqual(
			output.map((item) => item.pairedItem),
			[{ item: 0 }, { item: 1 }],
		);
		first = output[0].json.narration as unknown as Narration;
		second = output[1].json.narration as unknown as Narration;
	});

	test('one WAV per dialogue line at the line keys: 48 kHz stereo, longer than 0.3 s, not silent', async () => {
		assert.equal(first.lines.length, 2);
		for (const [index, line] of first.lines.entries()) {
			assert.equal(line.key, lineKey('run-tts', 1, index + 1));
			const file = await download(line.key, `line-${index}.wav`);
			const probe = await ffprobe(file);
			const audio = probe.streams[0];
			assert.equal(audio.sample_rate, '48000');
			assert.equal(audio.channels, 2);
			assert.ok(Number(audio.duration) > 0.3, `line ${index + 1} lasts ${audio.duration} s`);
			assert.ok(Math.abs(Number(audio.duration) - (line.end - line.start)) < 0.002);
			assert.ok((await meanVolume(file)) > -40, 'the line is audible');
		}
	});

	test('parentheticals are acting notes, not spoken', () => {
		assert.equal(first.lines[0].text, 'Who calls at this hour?');
		assert.equal(first.lines[0].speaker, 'ALICE');
	});

	test('a character keeps one voice across scenes; different characters get different voices', () => {
		const voiceOf = (narration: Narration, speaker: string) => narration.lines.find((line) => line.speaker.startsWith(speaker))?.voice;
		assert.equal(voiceOf(first, 'ALICE'), voiceOf(second, 'ALICE'));
		assert.equal(voiceOf(first, 'BOB'), voiceOf(second, 'BOB'), '"BOB (V.O.)" is BOB');
		assert.notEqual(voiceOf(first, 'ALICE'), voiceOf(first, 'BOB'));
		// Position in the plan's character list picks the voice.
		assert.equal(voiceOf(first, 'ALICE'), voices.espeak.characterVoices[0]);
		assert.equal(voiceOf(first, 'BOB'), voices.espeak.characterVoices[1]);
	});

	test('the scene track = 0.2 s lead-in + lines + 0.3 s gaps, and line times are in order inside it', async () => {
		const spoken = first.lines.reduce((sum, line) => sum + (line.end - line.start), 0);
		assert.ok(Math.abs(first.duration - (0.2 + spoken + 0.3)) < 0.05, `track ${first.duration} s`);
		assert.equal(first.key, narrationKey('run-tts', 1));
		assert.ok(Math.abs(first.lines[0].start - 0.2) < 0.002);
		let previous = 0;
		for (const line of first.lines) {
			assert.ok(line.start >= previous && line.end > line.start && line.end <= first.duration + 1e-9);
			previous = line.end;
		}
		assert.ok(Math.abs(first.lines[1].start - first.lines[0].end - 0.3) < 0.002);
		const probe = await ffprobe(await download(first.key, 'track.wav'));
		assert.equal(probe.streams[0].sample_rate, '48000');
		assert.equal(probe.streams[0].channels, 2);
		assert.ok(Math.abs(Number(probe.streams[0].duration) - first.duration) < 0.002);
	});
});

describe('Text to Speech node: what is spoken', () => {
	test('no dialogue: the narrator reads the action (whenNoDialogue); "never" gives a silent track of the scene length', async () => {
		const scene = { dialogue: [], action: 'The city sleeps. A single window is still lit.', duration: 3.5 };
		const output = await run([sceneItem(1, scene), sceneItem(2, scene, { narrateAction: 'never' })]);
		const read = output[0].json.narration as unknown as Narration;
		assert.equal(read.lines.length, 2, 'one line per sentence');
		assert.ok(read.lines.every((line) => line.voice === 'en-gb+m3' && line.kind === 'action' && line.speaker === 'NARRATOR'));

		const silent = output[1].json.narration as unknown as Narration;
		assert.deepEqual(silent.lines, []);
		assert.equal(silent.duration, 3.5);
		assert.ok((await meanVolume(await download(silent.key, 'silent.wav'))) < -90);
	});

	test('dual dialogue: the two voices speak at once in the track, each with its own voice and cue times', async () => {
		const output = await run([
			sceneItem(1, {
				dialogue: [
					{ speaker: 'ALICE', text: 'We take the north road.' },
					{ speaker: 'BOB', text: 'We take the south road.', dual: true },
					{ speaker: 'ALICE', text: 'Fine, the coast then.' },
				],
			}),
		]);
		const narration = output[0].json.narration as unknown as Narration & { lines: (Line & { together?: boolean })[] };
		const [first, second, third] = narration.lines;
		assert.equal(second.start, first.start, 'BOB starts with ALICE');
		assert.equal(second.together, true);
		assert.notEqual(second.voice, first.voice);
		assert.ok(Math.abs(third.start - (Math.max(first.end, second.end) + 0.3)) < 0.002, 'the next line follows the longer one');
		const apart = narration.lines.reduce((sum, line) => sum + (line.end - line.start), 0) + 0.2 + 0.6;
		assert.ok(narration.duration < apart - 0.5, `track ${narration.duration} s, one after the other would be ${apart.toFixed(2)} s`);
		const track = await download(narration.key, 'dual.wav');
		assert.ok(Math.abs(Number((await ffprobe(track)).streams[0].duration) - narration.duration) < 0.01);
		assert.ok((await meanVolume(track)) > -40, 'audible');
	});

	test('a post scene: narration in the narrator voice; voiceMap overrides a character voice', async () => {
		const output = await run([
			sceneItem(
				1,
				{
					narration: 'I moved to a new city last spring. Nobody told me about the rain.',
					dialogue: [{ speaker: 'ALICE', text: 'Told you so.' }],
				},
				{ voiceMap: { alice: 'en-us+f4' } },
			),
		]);
		const narration = output[0].json.narration as unknown as Narration;
		assert.deepEqual(
			narration.lines.map((line) => [line.kind, line.voice]),
			[
				['narration', 'en-gb+m3'],
				['narration', 'en-gb+m3'],
				['dialogue', 'en-us+f4'],
			],
		);
	});

	test('a line in another script is read by a voice of its language: 5 Arabic words take seconds, not 13', async () => {
		// Before the script rule, en-us+m3 spelled these five words out letter by letter: 12.6–13.0 s. ar+m3 says them in 2.9 s.
		const arabic = 'مرحبا يا صديقي كيف حالك';
		const output = await run(
			[
				sceneItem(1, {
					narration: 'Привет, как дела у тебя сегодня?',
					dialogue: [
						{ speaker: 'ALICE', text: arabic },
						{ speaker: 'BOB', text: 'Fine, thanks.' },
					],
				}),
				sceneItem(2, { dialogue: [{ speaker: 'BOB', text: arabic }] }, { voiceMap: { BOB: 'en-us+m7' } }),
			],
			{ parameters: { narratorVoice: '' } },
		);
		const [scene1, scene2] = output.map((item) => item.json.narration as unknown as Narration);
		// The speaker keeps their variant (m3, f3): a character sounds like themselves in either language.
		assert.deepEqual(
			scene1.lines.map((line) => [line.speaker, line.voice]),
			[
				['NARRATOR', 'ru+m3'],
				['ALICE', 'ar+m3'],
				['BOB', 'en-us+f3'],
			],
		);
		const spoken = scene1.lines[1].end - scene1.lines[1].start;
		assert.ok(spoken < 5, `the Arabic line takes ${spoken.toFixed(2)} s`);
		// A voice the voice map names is used as it is.
		assert.equal(scene2.lines[0].voice, 'en-us+m7');
	});

	test('every script voice of data/voices.json is a voice this espeak-ng lists', async () => {
		const list = await espeakVoices();
		for (const entry of voices.espeak.scriptVoices.voices) {
			for (const voice of [entry.voice, ...('withVoice' in entry ? [entry.withVoice] : [])]) {
				assert.equal(espeakVoiceProblem(`${voice}+m3`, list), null, `${entry.script}: ${voice}`);
			}
		}
	});

	test('text starting with "-" or full of quotes is spoken, never taken as an option', async () => {
		const output = await run([
			sceneItem(1, {
				dialogue: [
					{ speaker: 'ALICE', text: '--help -v xx "quoted" \'single\' $(whoami) `ls` ; rm -rf' },
					{ speaker: 'BOB', text: '-w /tmp/owned.wav -f /etc/passwd' },
				],
			}),
		]);
		const narration = output[0].json.narration as unknown as Narration;
		assert.equal(narration.lines.length, 2);
		for (const [index, line] of narration.lines.entries()) {
			assert.ok(line.end - line.start > 1, 'the words were read out');
			assert.ok((await meanVolume(await download(line.key, `hostile-${index}.wav`))) > -40);
		}
	});

	test('scene files: the Output Prefix when set, else the scene folder; without runId the message names the field', async () => {
		const output = await run([sceneItem(1, {}, {}), { ...sceneItem(2, {}), prefix: 'voice/scene-2' }, { ...sceneItem(3, {}), runId: undefined }], {
			continueOnFail: true,
			parameters: { outputPrefix: (json: IDataObject) => json.prefix ?? '' },
		});
		assert.equal((output[0].json.narration as unknown as Narration).key, narrationKey('run-tts', 1));
		const own = output[1].json.narration as unknown as Narration;
		assert.equal(own.key, 'voice/scene-2/narration.wav');
		assert.equal(own.lines[0].key, 'voice/scene-2/lines/01.wav');
		assert.match(
			String(output[2].json.error),
			/^Scene 3: "Output Prefix" is empty and the item has no runId, so there is no standard key for the scene's narration files/,
		);
	});

	test('Continue On Fail: an unknown voice fails its own item with a readable message, the others are voiced', async () => {
		const output = await run(
			[sceneItem(1, {}), sceneItem(2, {}, { voiceMap: { BOB: 'xx-nosuchvoice' } }), sceneItem(3, {}, { narrateAction: 'loudly' })],
			{ continueOnFail: true },
		);
		assert.ok(output[0].json.narration);
		assert.match(String(output[1].json.error), /Scene 2: could not voice BOB's line 2: espeak-ng has no voice "xx-nosuchvoice"/);
		assert.match(String(output[2].json.error), /"Narrate Action" must be one of whenNoDialogue, always, never \(got "loudly"\)/);
		assert.deepEqual(
			output.map((item) => item.pairedItem),
			[{ item: 0 }, { item: 1 }, { item: 2 }],
		);
	});
});

describe('Text to Speech node: synthesize', () => {
	test("one text becomes one 48 kHz stereo WAV in storage, at the run's speech key", async () => {
		const output = await run([{ text: 'Welcome to Reelsmith.', runId: 'run-tts' }], {
			parameters: { operation: 'synthesize', text: (json: IDataObject) => json.text, voice: 'en-us+f3', options: {} },
		});
		const audio = output[0].json.audio as IDataObject;
		assert.equal(audio.key, speechKey('run-tts', 0));
		assert.equal(audio.voice, 'en-us+f3');
		assert.ok(Number(audio.duration) > 0.5);
		const file = await download(String(audio.key), 'speech.wav');
		assert.equal((await ffprobe(file)).streams[0].sample_rate, '48000');
		assert.ok((await meanVolume(file)) > -40);
	});

	test('without a voice the narrator reads, in the language of the text: Arabic with ar+m3, English as it is', async () => {
		const output = await run(
			[
				{ text: 'مرحبا يا صديقي كيف حالك', runId: 'run-tts' },
				{ text: 'Welcome back.', runId: 'run-tts' },
			],
			{
				parameters: { operation: 'synthesize', text: (json: IDataObject) => json.text, voice: '', options: {} },
			},
		);
		const [arabic, english] = output.map((item) => item.json.audio as IDataObject);
		assert.deepEqual([arabic.voice, english.voice], ['ar+m3', 'en-gb+m3']);
		assert.ok(Number(arabic.duration) < 5, `${arabic.duration} s`);
	});

	test("text outside a run goes to the execution's folder; a set Output Key wins", async () => {
		const parameters = {
			operation: 'synthesize',
			provider: 'espeak',
			text: (json: IDataObject) => json.text,
			voice: 'en-us+f3',
			outputKey: (json: IDataObject) => json.key ?? '',
			options: {},
		};
		const context = executeContext({ items: [{ text: 'One.' }, { text: 'Two.', key: 'voice/two.wav' }], parameters, s3 });
		const [output] = await new TextToSpeech().execute.call(Object.assign(context, { getExecutionId: () => '417' }));
		assert.deepEqual(
			output.map((item) => (item.json.audio as IDataObject).key),
			[speechKey('417', 0), 'voice/two.wav'],
		);
	});

	test('empty text is an error naming the field', async () => {
		const output = await run([{ text: '  😀 ' }], {
			continueOnFail: true,
			parameters: { operation: 'synthesize', text: (json: IDataObject) => json.text, voice: 'en-us+f3', outputKey: 'x.wav', options: {} },
		});
		assert.match(String(output[0].json.error), /"Text" is empty/);
	});
});

describe('Text to Speech node: a full work folder', () => {
	test("espeak-ng, which leaves a cut-off WAV without a word, still fails the scene with 'the work folder … is full'", async (context) => {
		const disk = await mountTinyDisk('1m');
		if (!disk) return context.skip('needs root to mount a tmpfs');
		const before = process.env.TMPDIR;
		try {
			process.env.TMPDIR = disk.path;
			// Room for the line's text file (one 4 KB page) and none for the WAV espeak-ng writes: it exits 0 with an empty file.
			await disk.fill(4096);
			await assert.rejects(
				run([sceneItem(7, { dialogue: [{ speaker: 'ALICE', text: 'This line takes far more room than the disk has left.' }] })]),
				(error: Error) => {
					assert.match(error.message, /^Scene 7: .*The work folder .* is full: free space and resume the run\./);
					assert.ok(error.message.includes(disk.path), error.message);
					return true;
				},
			);
		} finally {
			if (before === undefined) delete process.env.TMPDIR;
			else process.env.TMPDIR = before;
			await disk.unmount();
		}
	});
});
