/**
 * Voice profiles as a request and a campaign give them: the run's `narrator` is checked (400 naming the field), the
 * campaign's narrator is kept with its cast, the request's wins over it, a line's settings are its speaker's profile
 * over the node's, and an unknown voice is refused with close matches.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { applyCast, castMessage, validateCast } from '../../nodes/Campaign/lib/cast';
import { parseScript } from '../../nodes/shared/screenplay/parse';
import { validateRunRequest } from '../../nodes/Campaign/lib/request';
import { narratorRejection, voiceMapRejection } from '../../nodes/Campaign/lib/voices';
import { espeakVoices } from '../../nodes/shared/transport/espeak';
import { closeMatches, lineSettings, narratorProfile } from '../../nodes/shared/voiceProfile';
import { fountain } from './fixture';

const CAMPAIGN = '0b4cf8de-5a0d-4a0e-9a57-0a2f1c3e4d5f';

function rejected(body: Record<string, unknown>): { field: string; message: string } {
	const result = validateRunRequest({ script: fountain(2), ...body });
	assert.equal(result.ok, false, JSON.stringify(result));
	return result as { field: string; message: string };
}

describe("the run request's narrator", () => {
	it('is kept in the run options as given, settings checked against its provider', () => {
		const result = validateRunRequest({
			script: fountain(2),
			narrator: { provider: 'elevenlabs', voice: 'narratorVoice9', settings: { stability: 0.4, style: 0.1 }, language: 'en' },
		});
		assert.ok(result.ok, JSON.stringify(result));
		assert.deepEqual(result.options.narrator, {
			provider: 'elevenlabs',
			voice: 'narratorVoice9',
			settings: { stability: 0.4, style: 0.1 },
			language: 'en',
		});
		const plain = validateRunRequest({ script: fountain(2) });
		assert.ok(plain.ok);
		assert.equal(plain.options.narrator, undefined);
	});

	it('is refused naming the part that is wrong', () => {
		assert.equal(rejected({ narrator: { provider: 'espeak', voice: 'en-gb', settings: { stability: 0.4 } } }).field, 'narrator.settings.stability');
		assert.match(rejected({ narrator: { provider: 'espeak', voice: 'en-gb', settings: { stability: 0.4 } } }).message, /it takes rate, pitch/);
		assert.equal(rejected({ narrator: { provider: 'google', voice: 'en-US-Neural2-D', settings: { pitch: 40 } } }).field, 'narrator.settings.pitch');
		assert.equal(rejected({ narrator: { voice: 'en-gb', settings: { rate: 120 } } }).field, 'narrator.settings');
		assert.equal(rejected({ narrator: { provider: 'polly', voice: 'Joanna' } }).field, 'narrator.provider');
		assert.equal(rejected({ narrator: { voice: '--help' } }).field, 'narrator.voice');
		assert.equal(rejected({ narrator: { voice: 'en-gb', speed: 2 } }).field, 'narrator.speed');
		assert.equal(rejected({ narrator: { voice: 'en-gb', language: 'not a tag' } }).field, 'narrator.language');
		assert.equal(rejected({ narrator: 'en-gb' }).field, 'narrator');
	});

	it('and a voiceMap NARRATOR entry are not both given', () => {
		const answer = rejected({ narrator: { voice: 'en-gb+m3' }, voiceMap: { Narrator: 'en-us' } });
		assert.equal(answer.field, 'voiceMap.Narrator');
		assert.match(answer.message, /both choose the narrator's voice/);
	});

	it("wins over the campaign's; without one the campaign's speaks", () => {
		const campaign = { provider: 'espeak' as const, voice: 'en-gb+m7', settings: { rate: 140 } };
		assert.deepEqual(narratorProfile({ voice: 'en-us+f3' }, campaign), { voice: 'en-us+f3' });
		assert.deepEqual(narratorProfile(undefined, campaign), campaign);
		assert.equal(narratorProfile(undefined, null), null);
	});
});

describe("the campaign's narrator and cast voices", () => {
	it("are kept with the cast, settings in each provider's words", () => {
		const check = validateCast(
			{
				characters: [{ name: 'Anna', voice: { provider: 'espeak', voice: 'en-us+f3', settings: { rate: 150, pitch: 60 } } }],
				narrator: { provider: 'google', voice: 'en-US-Neural2-D', settings: { speakingRate: 0.9, pitch: -3 } },
			},
			CAMPAIGN,
		);
		assert.ok(check.ok, JSON.stringify(check));
		assert.deepEqual(check.cast.narrator, { provider: 'google', voice: 'en-US-Neural2-D', settings: { speakingRate: 0.9, pitch: -3 } });
		assert.deepEqual(check.cast.characters[0].voice?.settings, { rate: 150, pitch: 60 });
		const none = validateCast({ characters: [] }, CAMPAIGN);
		assert.ok(none.ok);
		assert.equal(none.cast.narrator, null);
	});

	it("are refused naming the setting that is not the provider's or out of its range", () => {
		const wrong = validateCast({ narrator: { provider: 'espeak', voice: 'en-gb', settings: { stability: 0.5 } } }, CAMPAIGN);
		assert.equal(wrong.ok, false);
		assert.equal((wrong as { field: string }).field, 'narrator.settings.stability');
		assert.match((wrong as { message: string }).message, /is not a setting of espeak; it takes rate, pitch/);
		const range = validateCast(
			{ characters: [{ name: 'Anna', voice: { provider: 'elevenlabs', voice: 'abc', settings: { stability: 2 } } }] },
			CAMPAIGN,
		);
		assert.equal((range as { field: string }).field, 'characters.0.voice.settings.stability');
		assert.match((range as { message: string }).message, /must be a number from 0 to 1/);
	});
});

describe("a line's settings", () => {
	it("are the speaker's profile over the node's Voice Settings, one way of giving the speed only", () => {
		assert.deepEqual(lineSettings({ rate: 120, pitch: -1 }, { speakingRate: 1.5, pitch: 4 }), { speakingRate: 1.5, pitch: 4 });
		assert.deepEqual(lineSettings({ speakingRate: 0.8, pitch: -1 }, { rate: 200 }), { pitch: -1, rate: 200 });
		assert.deepEqual(lineSettings({ stability: 0.3 }, undefined), { stability: 0.3 });
	});
});

describe('voices checked against the provider list', () => {
	const eleven = {
		provider: 'elevenlabs' as const,
		voices: [
			{ id: '21m00Tcm4TlvDq8ikWAM', name: 'Rachel', language: 'en', gender: 'female' },
			{ id: 'AZnzlk1XvdvUeBnXmlld', name: 'Domi', language: 'en', gender: 'female' },
			{ id: 'EXAVITQu4vr4xnSDxMaL', name: 'Bella', language: 'en', gender: 'female' },
			{ id: 'ErXwobaYiN019PkySvjV', name: 'Antoni', language: 'en', gender: 'male' },
		],
	};

	it('an unknown narrator voice is a 400 naming narrator.voice with the close ones first', () => {
		const answer = narratorRejection('21m00Tcm4TlvDq8ikWAX', eleven, 'narrator.provider');
		assert.equal(answer?.field, 'narrator.voice');
		assert.match(answer!.message, /a close one such as 21m00Tcm4TlvDq8ikWAM \(Rachel\)/);
		assert.doesNotMatch(answer!.message, /Antoni/);
		assert.match(narratorRejection('Rachel', eleven, 'narrator.provider')!.message, /send its ID, "21m00Tcm4TlvDq8ikWAM"/);
		assert.equal(narratorRejection('AZnzlk1XvdvUeBnXmlld', eleven, 'narrator.provider'), null);
	});

	it('a voiceMap entry of a near-miss voice suggests the close ones', () => {
		const answer = voiceMapRejection({ ALICE: 'EXAVITQu4vr4xnSDxMaX' }, eleven, 'the first of "speech"');
		assert.equal(answer?.field, 'voiceMap.ALICE');
		assert.match(answer!.message, /EXAVITQu4vr4xnSDxMaL \(Bella\)/);
	});

	it('espeak-ng\'s own list refuses "no-such-voice" (espeak-ng itself would speak it as Norwegian) and names close languages', async () => {
		const known = { provider: 'espeak' as const, espeak: await espeakVoices() };
		const answer = narratorRejection('no-such-voice', known, 'the first of "speech"');
		assert.equal(answer?.field, 'narrator.voice');
		assert.match(answer!.message, /has no language "no-such-voice" \(close: .*\bnb\b|close: .*no/);
		assert.equal(narratorRejection('en-gb+m3', known, 'the first of "speech"'), null);
	});

	it('close matches are few and near', () => {
		assert.deepEqual(closeMatches('en-US-Neural2-X', ['en-US-Neural2-D', 'en-US-Neural2-F', 'de-DE-Wavenet-A', 'ja-JP-Standard-B']), [
			'en-US-Neural2-D',
			'en-US-Neural2-F',
		]);
		assert.deepEqual(closeMatches('zzzzzz', ['en-US-Neural2-D']), []);
	});
});

describe("a cast voice chosen for another language than the run's", () => {
	it('keeps its voice and is named in the cast event, with what to do', () => {
		const plan = parseScript(fountain(2), { format: 'fountain' });
		const name = plan.characters[0].name;
		const check = validateCast({ characters: [{ name, voice: { provider: 'elevenlabs', voice: 'abcVoice', language: 'en' } }] }, CAMPAIGN);
		assert.ok(check.ok);
		const german = applyCast(plan, check.cast, 'de');
		assert.equal(german.plan.characters[0].voice?.voice, 'abcVoice');
		assert.deepEqual(german.match.otherLanguage, [{ name, language: 'en' }]);
		assert.match(castMessage(1, german.match), new RegExp(`keep speaking as chosen: ${name} \\(en\\); give the cast a voice of the run's language`));
		const english = applyCast(plan, check.cast, 'en-US');
		assert.equal(english.match.otherLanguage, undefined);
		assert.doesNotMatch(castMessage(1, english.match), /another language/);
	});
});
