import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { narrationKey } from '../../nodes/shared/keys';
import type { Character } from '../../nodes/shared/plan';
import { ffprobe } from '../../nodes/shared/transport/ffmpeg';
import elevenlabs from '../../nodes/TextToSpeech/data/elevenlabs.json';
import google from '../../nodes/TextToSpeech/data/google.json';
import { TextToSpeech } from '../../nodes/TextToSpeech/TextToSpeech.node';
import { downloadTo, useS3 } from '../helpers/s3';
import { useWorkDir } from '../helpers/work-dir';
import { executeContext, meanVolume, type Parameter } from '../video-generation/context';
import { makeScene } from '../video-generation/scenes';
import { MAX_INPUT_BYTES } from '../fakes/google-tts';
import { elevenLabsCredential, googleCredential, SYNTHESIZE_SCENE, useSpeechFakes } from './support';

const s3 = useS3();
const work = useWorkDir('reelsmith-tts-providers-');
const { elevenlabs: voicesFake, google: googleFake } = useSpeechFakes();

const characters: Character[] = [
	{ name: 'ALICE', lines: 1, scenes: [1], description: '' },
	{ name: 'BOB', lines: 1, scenes: [1], description: '' },
	{ name: 'CAROL', lines: 1, scenes: [1], description: '' },
];

function sceneItem(scene: Partial<ReturnType<typeof makeScene>>, voiceMap: IDataObject = {}): IDataObject {
	return {
		runId: 'run-providers',
		sceneNumber: 1,
		scene: makeScene({ number: 1, ...scene }) as unknown as IDataObject,
		characters: characters as unknown as IDataObject[],
		options: { voiceMap },
	};
}

/** The test context of the other node tests, plus the speech credentials pointing at the fakes. */
function context(items: IDataObject[], parameters: Record<string, Parameter>, apiKeys: { elevenlabs?: string } = {}): IExecuteFunctions {
	return executeContext({
		items,
		parameters: { ...SYNTHESIZE_SCENE, ...parameters },
		s3,
		nodeName: 'Text to Speech',
		credentials: {
			reelsmithElevenLabsApi: { ...elevenLabsCredential(voicesFake), apiKey: apiKeys.elevenlabs ?? voicesFake.apiKey },
			reelsmithGoogleTtsApi: googleCredential(googleFake),
		},
	});
}

interface Line {
	speaker: string;
	kind: string;
	start: number;
	end: number;
	voice: string;
	words?: Array<{ text: string; start: number; end: number }>;
}
interface Narration {
	key: string;
	duration: number;
	lines: Line[];
}

const download = (key: string, name: string) => downloadTo(s3, key, work.file(name));

describe('Text to Speech node with ElevenLabs', () => {
	const scene = {
		narration: 'Night falls.',
		dialogue: [
			{ speaker: 'ALICE', text: 'Who is there?' },
			{ speaker: 'BOB', text: 'Only me.' },
			{ speaker: 'CAROL', text: 'And me.' },
		],
	};

	test('lines are voiced with the mapped voice IDs; the scene track in storage is audible and as long as the lines', async () => {
		// One 429 (Retry-After 0) on the way: retried, and the scene still comes out whole.
		voicesFake.script({
			status: 429,
			headers: { 'retry-after': '0' },
			body: { detail: { status: 'too_many_concurrent_requests', message: 'Too many concurrent requests.' } },
		});
		const [output] = await new TextToSpeech().execute.call(context([sceneItem(scene, { BOB: 'customBobVoice01' })], { provider: 'elevenlabs' }));
		const narration = output[0].json.narration as unknown as Narration;
		const expected = [elevenlabs.narrator, elevenlabs.characterVoices[0], 'customBobVoice01', elevenlabs.characterVoices[2]];
		assert.deepEqual(
			narration.lines.map((line) => line.voice),
			expected,
		);
		// 4 lines + 1 retried request; the fake heard the same voice IDs in the same order.
		const asked = voicesFake.speechRequests();
		assert.equal(asked.length, 5);
		assert.deepEqual(
			asked.slice(1).map((request) => request.voice),
			expected,
		);
		assert.ok(
			asked.every((request) => request.body?.model_id === 'eleven_flash_v2_5'),
			'the model from the credential',
		);

		assert.equal(narration.key, narrationKey('run-providers', 1));
		const track = await download(narration.key, 'elevenlabs-track.wav');
		const probe = await ffprobe(track);
		assert.equal(probe.streams[0].sample_rate, '48000');
		assert.equal(probe.streams[0].channels, 2);
		assert.ok(Math.abs(Number(probe.streams[0].duration) - narration.duration) < 0.002);
		const spoken = narration.lines.reduce((sum, line) => sum + (line.end - line.start), 0);
		assert.ok(Math.abs(narration.duration - (0.2 + spoken + 3 * 0.3)) < 0.01);
		assert.ok((await meanVolume(track)) > -45, 'the track is not silent');
	});

	test('lines carry word timings from the alignment, placed on the scene clock', async () => {
		const [output] = await new TextToSpeech().execute.call(context([sceneItem(scene)], { provider: 'elevenlabs' }));
		const narration = output[0].json.narration as unknown as Narration;
		const alice = narration.lines[1];
		assert.deepEqual(
			alice.words?.map((word) => word.text),
			['Who', 'is', 'there?'],
		);
		assert.equal(alice.words![0].start, alice.start);
		assert.ok(alice.words!.every((word) => word.start >= alice.start && word.end <= alice.end + 1e-9));
	});

	test('a rejected API key fails the scene at once (no retry) with a message naming the credential', async () => {
		await assert.rejects(
			new TextToSpeech().execute.call(context([sceneItem(scene)], { provider: 'elevenlabs' }, { elevenlabs: 'wrong' })),
			(error: Error) => {
				assert.match(error.message, /^Scene 1: could not voice narration line 1: ElevenLabs rejected the API key/);
				return true;
			},
		);
		assert.equal(voicesFake.speechRequests().length, 1);
	});

	test('audio that keeps coming back cut short fails the scene, naming it and the line, and nothing of it is stored', async () => {
		Object.assign(voicesFake.knobs, { truncatedShare: 1 });
		const prefix = 'runs/broken-audio/scenes/001/';
		try {
			await assert.rejects(
				new TextToSpeech().execute.call(context([sceneItem(scene)], { provider: 'elevenlabs', outputPrefix: prefix })),
				(error: Error) => {
					assert.match(
						error.message,
						/^Scene 1: could not voice narration line 1: ElevenLabs returned audio cut short: .* It came back broken twice; run the scene again\./,
					);
					return true;
				},
			);
			assert.equal(voicesFake.speechRequests().length, 2, 'asked once more, then given up');
			assert.deepEqual(await s3.storage.listKeys(prefix), [], 'no narration of the broken audio was stored');
		} finally {
			voicesFake.reset();
		}
	});
});

describe('Text to Speech node with Google', () => {
	test('voices map the same way; a narration longer than 5,000 bytes is split and spoken whole', async () => {
		// Lines are sentences: one sentence of over 10,000 bytes (Hebrew letters are 2 bytes each) is one line.
		const long = `${'הגשם לא מפסיק לרדת בעיר הזאת '.repeat(200).trim()}.`;
		assert.ok(Buffer.byteLength(long) > 2 * MAX_INPUT_BYTES);
		const [output] = await new TextToSpeech().execute.call(
			context([sceneItem({ narration: long, dialogue: [{ speaker: 'CAROL', text: 'Enough.' }] }, { narrator: 'he-IL-Wavenet-A' })], {
				provider: 'google',
			}),
		);
		const narration = output[0].json.narration as unknown as Narration;
		assert.deepEqual(
			narration.lines.map((line) => line.voice),
			['he-IL-Wavenet-A', google.characterVoices[2]],
		);
		const requests = googleFake.synthesizeRequests();
		assert.ok(requests.length >= 4, `${requests.length} requests`);
		assert.ok(requests.every((request) => request.bytes <= MAX_INPUT_BYTES));
		const heard = requests
			.slice(0, -1)
			.map((request) => request.body?.input?.text)
			.join(' ');
		assert.deepEqual(heard.split(/\s+/), long.split(/\s+/));
		assert.equal(requests.at(-1)?.body?.voice?.name, google.characterVoices[2]);
		assert.ok((await meanVolume(await download(narration.key, 'google-track.wav'))) > -45);
	});
});

describe('Text to Speech node: narration with Google speaking rate and pitch', () => {
	test("Voice Settings' Google entry reaches every line's audioConfig; other providers' entries do not", async () => {
		const [output] = await new TextToSpeech().execute.call(
			context([sceneItem({ narration: 'The tide comes in.', dialogue: [{ speaker: 'ALICE', text: 'Run.' }] })], {
				provider: 'google',
				options: { voiceSettings: { google: { speakingRate: 0.85, pitch: -2 }, elevenlabs: { stability: 0.2 } } },
			}),
		);
		assert.equal((output[0].json.narration as unknown as Narration).lines.length, 2);
		const configs = googleFake.synthesizeRequests().map((request) => request.body?.audioConfig);
		assert.equal(configs.length, 2);
		assert.ok(configs.every((config) => config?.speakingRate === 0.85 && config?.pitch === -2), JSON.stringify(configs));
	});

	test('a Voice Settings value out of range stops the scene naming the provider and the setting, before Google is called', async () => {
		await assert.rejects(
			new TextToSpeech().execute.call(
				context([sceneItem({ narration: 'The tide comes in.' })], { provider: 'google', options: { voiceSettings: '{"google": {"pitch": 30}}' } }),
			),
			/Scene 1: "Voice Settings" for google: "settings.pitch" \(Google pitch in semitones, 0 = normal\) must be a number from -20 to 20/,
		);
		assert.equal(googleFake.synthesizeRequests().length, 0);
	});
});

describe('Text to Speech node: Synthesize (one text) with a remote provider', () => {
	test('empty Voice means the provider narrator voice; the WAV lands at the output key', async () => {
		const [output] = await new TextToSpeech().execute.call(
			context([{ text: 'A single sentence.' }], {
				operation: 'synthesize',
				provider: 'google',
				text: (json: IDataObject) => json.text,
				voice: '',
				outputKey: 'runs/single/speech.wav',
				options: {},
			}),
		);
		const audio = output[0].json.audio as { key: string; duration: number; voice: string };
		assert.equal(audio.voice, google.narrator);
		assert.equal(googleFake.synthesizeRequests()[0].body?.voice?.name, google.narrator);
		const probe = await ffprobe(await download(audio.key, 'single.wav'));
		assert.equal(probe.streams[0].sample_rate, '48000');
		assert.ok(Math.abs(Number(probe.streams[0].duration) - audio.duration) < 0.002);
	});
});
