/**
 * Voice profiles reach the providers: the run's narrator profile and a cast character's settings, per line, on the
 * fakes' recorded requests (ElevenLabs voice_settings, Google audioConfig) and in espeak-ng's audio (its speed).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { Character } from '../../nodes/shared/plan';
import { TextToSpeech } from '../../nodes/TextToSpeech/TextToSpeech.node';
import { useS3 } from '../helpers/s3';
import { executeContext, type Parameter } from '../video-generation/context';
import { makeScene } from '../video-generation/scenes';
import { elevenLabsCredential, googleCredential, SYNTHESIZE_SCENE, useSpeechFakes } from './support';

const s3 = useS3();
const { elevenlabs: elevenFake, google: googleFake } = useSpeechFakes();

const characters: Character[] = [
	{
		name: 'ALICE',
		lines: 1,
		scenes: [1],
		description: '',
		cast: 'Alice',
		voice: { provider: 'elevenlabs', voice: 'aliceVoice01', settings: { stability: 0.15, style: 0.7 } },
	},
	{ name: 'BOB', lines: 1, scenes: [1], description: '' },
];

const scene = {
	narration: 'Night falls.',
	dialogue: [
		{ speaker: 'ALICE', text: 'Who is there?' },
		{ speaker: 'BOB', text: 'Only me.' },
	],
};

function item(options: IDataObject, cast: Character[] = characters): IDataObject {
	return {
		runId: 'run-profiles',
		sceneNumber: 1,
		scene: makeScene({ number: 1, ...scene }) as unknown as IDataObject,
		characters: cast as unknown as IDataObject[],
		options: { voiceMap: {}, ...options },
	};
}

function context(items: IDataObject[], parameters: Record<string, Parameter>): IExecuteFunctions {
	return executeContext({
		items,
		parameters: { ...SYNTHESIZE_SCENE, ...parameters },
		s3,
		nodeName: 'Text to Speech',
		credentials: { reelsmithElevenLabsApi: elevenLabsCredential(elevenFake), reelsmithGoogleTtsApi: googleCredential(googleFake) },
	});
}

interface Line {
	speaker: string;
	kind: string;
	start: number;
	end: number;
	voice: string;
}

describe('voice profiles on ElevenLabs', () => {
	test("the narrator profile's voice and settings voice the narration; a cast character keeps its own settings; others get the data file's", async () => {
		const [output] = await new TextToSpeech().execute.call(
			context([item({ narrator: { provider: 'elevenlabs', voice: 'narratorVoice9', settings: { stability: 0.9, similarity: 0.2 } } })], {
				provider: 'elevenlabs',
			}),
		);
		const lines = (output[0].json.narration as { lines: Line[] }).lines;
		assert.deepEqual(
			lines.map((line) => [line.speaker, line.voice]),
			[
				['NARRATOR', 'narratorVoice9'],
				['ALICE', 'aliceVoice01'],
				['BOB', lines[2].voice],
			],
		);
		const requests = elevenFake.speechRequests();
		const byVoice = new Map(requests.map((request) => [request.voice, request.body?.voice_settings as Record<string, unknown>]));
		assert.equal(byVoice.get('narratorVoice9')?.stability, 0.9);
		assert.equal(byVoice.get('narratorVoice9')?.similarity_boost, 0.2);
		assert.equal(byVoice.get('aliceVoice01')?.stability, 0.15);
		assert.equal(byVoice.get('aliceVoice01')?.style, 0.7);
		const bob = byVoice.get(lines[2].voice);
		assert.notEqual(bob?.stability, 0.9);
		assert.notEqual(bob?.stability, 0.15);
	});

	test("a narrator profile of another provider leaves ElevenLabs' narration to its own narrator", async () => {
		const [output] = await new TextToSpeech().execute.call(
			context([item({ narrator: { provider: 'google', voice: 'en-US-Neural2-F', settings: { pitch: 3 } } })], { provider: 'elevenlabs' }),
		);
		const lines = (output[0].json.narration as { lines: Line[] }).lines;
		assert.notEqual(lines[0].voice, 'en-US-Neural2-F');
		assert.equal(googleFake.synthesizeRequests().length, 0);
	});

	test('a bad narrator profile stops the scene naming the field, before ElevenLabs is called', async () => {
		await assert.rejects(
			new TextToSpeech().execute.call(
				context([item({ narrator: { provider: 'elevenlabs', voice: 'narratorVoice9', settings: { pitch: 3 } } })], { provider: 'elevenlabs' }),
			),
			/"Narrator": "narrator.settings.pitch" is not a setting of elevenlabs/,
		);
		assert.equal(elevenFake.speechRequests().length, 0);
	});
});

describe('voice profiles on Google', () => {
	test("the narrator's speakingRate and pitch reach its lines' audioConfig over Voice Settings; a cast character's Google settings reach theirs", async () => {
		const cast: Character[] = [
			{ name: 'ALICE', lines: 1, scenes: [1], description: '', voice: { provider: 'google', voice: 'en-US-Neural2-C', settings: { pitch: -6 } } },
			{ name: 'BOB', lines: 1, scenes: [1], description: '' },
		];
		await new TextToSpeech().execute.call(
			context([item({ narrator: { provider: 'google', voice: 'en-US-Neural2-D', settings: { speakingRate: 1.5, pitch: 4 } } }, cast)], {
				provider: 'google',
				options: { voiceSettings: { google: { rate: 120, pitch: -1 } } },
			}),
		);
		const requests = googleFake.synthesizeRequests();
		const said = (text: string) => requests.find((request) => request.body?.input?.text === text)?.body;
		assert.equal(said('Night falls.')?.voice?.name, 'en-US-Neural2-D');
		assert.equal(said('Night falls.')?.audioConfig?.speakingRate, 1.5);
		assert.equal(said('Night falls.')?.audioConfig?.pitch, 4);
		assert.equal(said('Who is there?')?.voice?.name, 'en-US-Neural2-C');
		assert.equal(said('Who is there?')?.audioConfig?.pitch, -6);
		const bob = said('Only me.')?.audioConfig;
		assert.equal(bob?.pitch, -1, "BOB has no profile: the node's Voice Settings");
	});
});

describe('voice profiles on espeak-ng', () => {
	test("the narrator's rate changes how long its line takes", async () => {
		const narration = async (rate: number) => {
			const [output] = await new TextToSpeech().execute.call(
				context([item({ narrator: { provider: 'espeak', voice: 'en-gb+m3', settings: { rate, pitch: 40 } } })], { provider: 'espeak' }),
			);
			const line = (output[0].json.narration as { lines: Line[] }).lines[0];
			assert.equal(line.voice, 'en-gb+m3');
			return line.end - line.start;
		};
		const slow = await narration(90);
		const fast = await narration(400);
		assert.ok(slow > fast * 2, `rate 90 took ${slow} s, rate 400 took ${fast} s`);
	});
});
