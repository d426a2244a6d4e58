import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import type { IDataObject } from 'n8n-workflow';
import { speechCostUsd } from '../../nodes/shared/prices';
import { ffprobe } from '../../nodes/shared/transport/ffmpeg';
import { TextToSpeech } from '../../nodes/TextToSpeech/TextToSpeech.node';
import { downloadTo, useS3 } from '../helpers/s3';
import { useWorkDir } from '../helpers/work-dir';
import { executeContext } from '../video-generation/context';
import { elevenLabsCredential, googleCredential, useSpeechFakes } from './support';

const s3 = useS3();
const work = useWorkDir('reelsmith-voice-preview-');
const fakes = useSpeechFakes();

interface Preview {
	provider: string;
	voice: string;
	key: string;
	duration: number;
	cached: boolean;
	cacheKey: string;
	cost: { amountUsd: number; units: number };
}

/** The preview webhook's item: the request body under `body`, as Webhook Request → Check hands it on. */
async function preview(provider: string, body: IDataObject) {
	const context = executeContext({
		items: [{ body }],
		parameters: {
			operation: 'previewVoice',
			provider,
			previewText: (json: IDataObject) => (json.body as IDataObject).text,
			previewVoice: (json: IDataObject) => (json.body as IDataObject).voice,
			previewSettings: (json: IDataObject) => (json.body as IDataObject).settings ?? {},
		},
		s3,
		nodeName: 'Text to Speech',
		credentials: { reelsmithElevenLabsApi: elevenLabsCredential(fakes.elevenlabs), reelsmithGoogleTtsApi: googleCredential(fakes.google) },
	});
	const [output] = await new TextToSpeech().execute.call(context);
	return output[0].json as unknown as Preview;
}

describe('Text to Speech node: Preview Voice', () => {
	const line = 'The lighthouse keeper counts the ships at dusk.';

	test('an espeak-ng preview is stored as speech-length WAV, free; the same request again is read from storage', async () => {
		const first = await preview('espeak', { voice: 'en-us+f3', text: line, settings: { rate: 170, pitch: 60 } });
		assert.equal(first.cached, false);
		assert.equal(first.cost.amountUsd, 0);
		assert.match(first.key, /^voice-previews\/espeak\/[0-9a-f]{40}\.wav$/);
		assert.ok(first.duration > 1.5 && first.duration < 8, `an eight-word line takes seconds (got ${first.duration})`);
		const file = await downloadTo(s3, first.key, work.file('espeak.wav'));
		const probed = await ffprobe(file);
		assert.equal(probed.streams[0].codec_name, 'pcm_s16le');
		assert.ok(Math.abs(Number(probed.streams[0].duration) - first.duration) < 0.01);

		// Settings in another order are the same preview.
		const again = await preview('espeak', { voice: 'en-us+f3', text: line, settings: { pitch: 60, rate: 170 } });
		assert.deepEqual({ ...again, cached: undefined }, { ...first, cached: undefined });
		assert.equal(again.cached, true);

		const other = await preview('espeak', { voice: 'en-us+f3', text: line, settings: { rate: 170, pitch: 30 } });
		assert.equal(other.cached, false, 'another pitch is another preview');
		assert.notEqual(other.key, first.key);
	});

	test('an ElevenLabs preview is priced from the price data; asked again it is not sent to ElevenLabs and costs nothing', async () => {
		const text = 'Welcome back, traveller.';
		const body = { voice: '21m00Tcm4TlvDq8ikWAM', text, settings: { stability: 0.3, style: 0.2 } };
		const first = await preview('elevenlabs', body);
		assert.equal(first.cached, false);
		const characters = Array.from(text).length;
		assert.equal(first.cost.amountUsd, speechCostUsd('elevenlabs', 'eleven_flash_v2_5', characters));
		assert.ok(first.cost.amountUsd > 0);
		const [sent] = fakes.elevenlabs.speechRequests();
		assert.equal(sent.voice, '21m00Tcm4TlvDq8ikWAM');
		assert.deepEqual(
			{ stability: (sent.body?.voice_settings as IDataObject).stability, style: (sent.body?.voice_settings as IDataObject).style },
			{ stability: 0.3, style: 0.2 },
		);
		const again = await preview('elevenlabs', body);
		assert.equal(again.cached, true);
		assert.equal(again.cost.amountUsd, 0);
		assert.equal(again.key, first.key);
		assert.equal(fakes.elevenlabs.speechRequests().length, 1, 'the cached preview did not call ElevenLabs');
	});

	test('a Google preview is priced by its voice type', async () => {
		const text = 'Mind the gap.';
		const result = await preview('google', { voice: 'en-GB-Neural2-B', text });
		assert.equal(result.cost.amountUsd, speechCostUsd('google', 'en-GB-Neural2-B', Array.from(text).length));
		assert.equal(fakes.google.synthesizeRequests().length, 1);
	});

	test('a Google preview speaks at the speaking rate and pitch asked; another pitch is another preview', async () => {
		const text = 'Mind the gap, please.';
		const first = await preview('google', { voice: 'en-GB-Neural2-B', text, settings: { speakingRate: 1.25, pitch: -3 } });
		const [sent] = fakes.google.synthesizeRequests();
		assert.equal(sent.body?.audioConfig?.speakingRate, 1.25);
		assert.equal(sent.body?.audioConfig?.pitch, -3);
		const higher = await preview('google', { voice: 'en-GB-Neural2-B', text, settings: { speakingRate: 1.25, pitch: 6 } });
		assert.equal(higher.cached, false);
		assert.notEqual(higher.key, first.key);
		assert.equal(fakes.google.synthesizeRequests()[1].body?.audioConfig?.pitch, 6);
	});

	test('Google settings out of range fail naming the setting, before Google is called', async () => {
		const google = (settings: IDataObject) => preview('google', { voice: 'en-GB-Neural2-B', text: 'Hi', settings });
		await assert.rejects(google({ pitch: 25 }), /"settings.pitch" \(Google pitch in semitones, 0 = normal\) must be a number from -20 to 20/);
		await assert.rejects(google({ speakingRate: 0.1 }), /"settings.speakingRate" .* from 0.25 to 4/);
		await assert.rejects(google({ rate: 160, speakingRate: 1.2 }), /"settings.speakingRate" and "settings.rate" both set the speed; give one of them/);
		assert.equal(fakes.google.requests.length, 0);
	});

	test('bad requests fail naming the field, before any provider is called', async () => {
		await assert.rejects(preview('espeak', { voice: 'en-us', text: 'x'.repeat(301) }), /"text" has 301 characters; a preview speaks at most 300/);
		await assert.rejects(preview('espeak', { voice: 'en-us', text: '  ' }), /"text" is empty/);
		await assert.rejects(
			preview('espeak', { voice: 'en-us', text: 'Hi', settings: { stability: 0.5 } }),
			/"settings.stability" is not a setting of espeak; it takes rate, pitch/,
		);
		await assert.rejects(preview('espeak', { voice: 'en-us', text: 'Hi', settings: { pitch: 120 } }), /"settings.pitch" .* from 0 to 99/);
		await assert.rejects(preview('auto', { voice: 'en-us', text: 'Hi' }), /"provider" must name one provider/);
		await assert.rejects(preview('espeak', { voice: '--help', text: 'Hi' }), /espeak-ng has no voice "--help"/);
		assert.equal(fakes.elevenlabs.requests.length + fakes.google.requests.length, 0);
	});
});
