import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { applyCast, castMessage, castName, validateCast, type Cast } from '../../nodes/Campaign/lib/cast';
import { castVoices } from '../../nodes/TextToSpeech/lib/voices';
import { parseScript } from '../../nodes/shared/screenplay/parse';

/** The campaign's cast against a parsed plan, as the run's Choose the best take step applies it; no database. */
const CAMPAIGN = '6f1c2d3e-4b5a-4978-8a1b-2c3d4e5f6a7b';
const image = (name: string) => `campaigns/${CAMPAIGN}/cast/${name}.png`;

const SCRIPT = `INT. CAFÉ DU MONDE - NIGHT

Zoë waits by the window.

ZOË
Where were you?

JOSÉ (V.O.)
On my way.

EXT. HARBOUR - DAY

José walks along the quay. Mira follows.

MIRA
Wait for me.
`;

function cast(): Cast {
	const checked = validateCast(
		{
			characters: [
				{
					// Written without accents and in another case than the script's ZOË.
					name: 'Zoe',
					description: 'a tall woman in a red wool coat, short black hair',
					images: [image('zoe-front'), image('zoe-side')],
					voice: { provider: 'espeak', voice: 'en-gb+f3', language: 'en' },
				},
				{
					// The script says JOSÉ; the cast knows him as Joe, with his full name as an alias.
					name: 'Joe',
					aliases: ['José Ortega', 'josé'],
					description: 'a fisherman in his sixties, grey beard, yellow oilskin',
					images: [image('jose')],
					voice: {
						provider: 'elevenlabs',
						voice: 'pNInz6obpgDQGcFmaJgB',
						settings: { stability: 0.8 },
					},
				},
			],
			settings: [
				{
					name: 'Cafe du Monde',
					description: 'a narrow Paris café with brass lamps',
					image: image('cafe'),
				},
			],
		},
		CAMPAIGN,
	);
	assert.ok(checked.ok, JSON.stringify(checked));
	return checked.cast;
}

describe('castName', () => {
	it('drops accents, case, spaces and screenplay extensions', () => {
		assert.equal(castName('ZOË'), castName(' zoe '));
		assert.equal(castName('JOSÉ (V.O.)'), 'jose');
		assert.equal(castName('Café  du   Monde'), 'cafe du monde');
		// NFKD also folds compatibility forms: the ligature "ﬁ" is "fi".
		assert.equal(castName('ﬁona'), 'fiona');
		assert.notEqual(castName('Zoe'), castName('Zoey'));
	});
});

describe('applyCast', () => {
	const plan = parseScript(SCRIPT, { format: 'auto' });
	const { plan: applied, match } = applyCast(plan, cast());
	const character = (name: string) => applied.characters.find((c) => c.name === name)!;

	it('gives a character matched without accents or case the cast description and voice', () => {
		assert.equal(character('ZOË').description, 'a tall woman in a red wool coat, short black hair');
		assert.deepEqual(character('ZOË').voice, {
			provider: 'espeak',
			voice: 'en-gb+f3',
			language: 'en',
		});
		assert.equal(character('ZOË').cast, 'Zoe');
	});

	it('matches a character by an alias', () => {
		assert.equal(character('JOSÉ').description, 'a fisherman in his sixties, grey beard, yellow oilskin');
		assert.equal(character('JOSÉ').voice?.voice, 'pNInz6obpgDQGcFmaJgB');
		assert.deepEqual(character('JOSÉ').voice?.settings, { stability: 0.8 });
	});

	it('leaves a character the cast does not have as the planner wrote it, and names it as new', () => {
		const before = plan.characters.find((c) => c.name === 'MIRA')!;
		assert.deepEqual(character('MIRA'), before);
		assert.deepEqual(match.newCharacters, ['MIRA']);
		assert.deepEqual(match.newSettings, ['HARBOUR']);
		assert.equal(castMessage(3, match), 'Cast v3 applied to ZOË, JOSÉ, CAFÉ DU MONDE; not in the cast: MIRA.');
	});

	it("puts the scene's characters' images, then its setting's, into the scene's references", () => {
		assert.deepEqual(applied.scenes[0].references, [image('zoe-front'), image('zoe-side'), image('jose'), image('cafe')]);
		// Scene 2: José is in the cast, Mira and the harbour are not.
		assert.deepEqual(applied.scenes[1].references, [image('jose')]);
		assert.equal(applied.settings[0].description, 'a narrow Paris café with brass lamps');
		assert.equal(applied.settings[1].description, plan.settings[1].description);
	});

	it('changes nothing when nothing matches, and is the same applied twice', () => {
		const other = validateCast({ characters: [{ name: 'Anna' }], settings: [{ name: 'Lab' }] }, CAMPAIGN);
		assert.ok(other.ok);
		const unchanged = applyCast(plan, other.cast);
		assert.deepEqual(unchanged.plan, plan);
		assert.deepEqual(unchanged.match.characters, []);
		assert.deepEqual(applyCast(applied, cast()).plan, applied);
	});

	it('does not change the plan it was given', () => {
		assert.equal(plan.characters[0].description, '');
		assert.equal(plan.scenes[0].references, undefined);
	});
});

describe('cast voices at the speech step', () => {
	const { plan } = applyCast(parseScript(SCRIPT, { format: 'auto' }), cast());
	const voices = (provider: string, voiceMap: Record<string, string> = {}) =>
		castVoices({
			characters: plan.characters,
			voiceMap,
			narratorVoice: 'en-us',
			characterVoices: ['en-us+m1', 'en-us+m2'],
			provider,
		});

	it("speaks a character with the cast's voice of the provider speaking", () => {
		assert.equal(voices('espeak').voiceFor('ZOË'), 'en-gb+f3');
		assert.equal(voices('elevenlabs').voiceFor('JOSÉ (V.O.)'), 'pNInz6obpgDQGcFmaJgB');
		assert.deepEqual(voices('elevenlabs').settingsFor('JOSÉ'), {
			stability: 0.8,
		});
	});

	it("uses the provider's own voices when the cast voice is another provider's, and the request's voiceMap over the cast", () => {
		assert.notEqual(voices('espeak').voiceFor('JOSÉ'), 'pNInz6obpgDQGcFmaJgB');
		assert.equal(voices('espeak', { ZOË: 'en-us+f5' }).voiceFor('ZOË'), 'en-us+f5');
	});
});

describe('validateCast', () => {
	const refused = (body: unknown) => {
		const result = validateCast(body, CAMPAIGN);
		assert.equal(result.ok, false);
		if (result.ok) throw new Error('unreachable');
		return result;
	};

	it('names the field that is wrong', () => {
		assert.equal(refused({ characters: [{ name: '' }] }).field, 'characters.0.name');
		const voice = refused({
			characters: [{ name: 'Ann', voice: { provider: 'espeak', voice: '--help' } }],
		});
		assert.equal(voice.field, 'characters.0.voice.voice');
		assert.match(voice.message, /voice name/);
		assert.equal(
			refused({
				characters: [{ name: 'Ann', voice: { provider: 'polly', voice: 'x' } }],
			}).field,
			'characters.0.voice.provider',
		);
		assert.equal(
			refused({
				settings: [{ name: 'Lab', image: 'https://example.com/lab.png' }],
			}).field,
			'settings.0.image',
		);
		assert.equal(refused({ characters: [{ name: 'Ann', colour: 'red' }] }).field, 'characters.0.colour');
	});

	it("refuses another campaign's image and two characters answering to one name", () => {
		const elsewhere = refused({
			characters: [
				{
					name: 'Ann',
					images: ['campaigns/0b1c2d3e-4b5a-4978-8a1b-2c3d4e5f6a7b/cast/a.png'],
				},
			],
		});
		assert.equal(elsewhere.field, 'characters.0.images.0');
		const twice = refused({
			characters: [{ name: 'Zoë' }, { name: 'Joe', aliases: ['ZOE'] }],
		});
		assert.equal(twice.field, 'characters.1.aliases.0');
		assert.match(twice.message, /characters\.0 already answers to/);
	});
});
