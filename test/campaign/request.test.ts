import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { validateRunRequest } from '../../nodes/Campaign/lib/request';
import { foreignMediaProblem } from '../../nodes/Campaign/lib/campaignMedia';
import { fountain } from './fixture';

/** Every rejected request says which field is wrong and what to do; nothing here touches a database. */
function rejected(body: unknown) {
	const result = validateRunRequest(body);
	assert.equal(result.ok, false, `expected a rejection for ${JSON.stringify(body)?.slice(0, 80)}`);
	if (result.ok) throw new Error('unreachable');
	assert.equal(result.status, 400);
	return result;
}

describe('validateRunRequest', () => {
	it('accepts a minimal request and fills every default', () => {
		const result = validateRunRequest({ script: fountain(3) });
		assert.ok(result.ok);
		assert.equal(result.plan.scenes.length, 3);
		assert.deepEqual(result.options, {
			preset: 'youtube',
			style: 'titleCard',
			terminalScheme: 'green',
			terminalCursor: 'block',
			terminalPrompt: 'arrow',
			terminalChrome: 'mac',
			terminalEffects: [],
			iterations: 3,
			variations: 1,
			threshold: 80,
			concurrency: 3,
			validationAttempts: 2,
			loudnessTarget: -14,
			subtitles: 'attach',
			transition: 'none',
			targetDuration: null,
			narrateAction: 'whenNoDialogue',
			language: 'en',
			voiceMap: {},
			planner: 'auto',
			video: ['auto'],
			speech: ['auto'],
			approval: false,
			referenceFrames: 'none',
			references: {},
			music: null,
			intro: null,
			outro: null,
			sceneMedia: [],
		});
		assert.equal(result.request.budget, null);
		assert.equal(result.request.campaignBudget, null);
		assert.equal(result.request.campaign, 'Sample campaign');
		assert.equal(result.request.priority, 0);
		assert.equal(result.request.format, 'auto');
	});

	it('accepts the body as JSON text and keeps the values given; null means default', () => {
		const result = validateRunRequest(
			JSON.stringify({
				script: fountain(2),
				preset: 'shorts',
				style: 'terminal',
				iterations: 5,
				priority: -7,
				targetDuration: 30,
				voiceMap: { ALICE: 'en-us+f3' },
				campaign: '  Launch week  ',
				sceneCount: null,
			}),
		);
		assert.ok(result.ok);
		assert.equal(result.options.preset, 'shorts');
		assert.equal(result.options.style, 'terminal');
		assert.equal(result.options.iterations, 5);
		assert.equal(result.options.targetDuration, 30);
		assert.deepEqual(result.options.voiceMap, { ALICE: 'en-us+f3' });
		assert.equal(result.request.priority, -7);
		assert.equal(result.request.campaign, 'Launch week');
		assert.equal(result.request.sceneCount, null);
	});

	it('rejects a body without a script', () => {
		const result = rejected({ preset: 'youtube' });
		assert.equal(result.field, 'script');
		assert.match(result.message, /"script" is required/);
	});

	it('rejects an empty script', () => {
		const result = rejected({ script: '   \n ' });
		assert.equal(result.field, 'script');
		assert.match(result.message, /empty/);
	});

	it('rejects a script over 200 KB and says how big it is and what the limit is', () => {
		const script = fountain(3) + '\n' + 'é'.repeat(110 * 1024); // 2 bytes each in UTF-8: ~220 KB
		const result = rejected({ script });
		assert.equal(result.field, 'script');
		assert.match(result.message, /KB/);
		assert.match(result.message, /200 KB \(204800 bytes\)/);
		assert.match(result.message, new RegExp(`${Buffer.byteLength(script)} bytes`));
	});

	it('rejects invalid JSON, naming the body', () => {
		const result = rejected('{"script": "INT. ROOM');
		assert.equal(result.field, 'body');
		assert.match(result.message, /not valid JSON/);
	});

	it('rejects a body that is not an object', () => {
		assert.equal(rejected('[1,2]').field, 'body');
		assert.equal(rejected(undefined).field, 'body');
	});

	for (const iterations of [0, 6, 2.5, '3']) {
		it(`rejects iterations ${JSON.stringify(iterations)}`, () => {
			const result = rejected({ script: fountain(1), iterations });
			assert.equal(result.field, 'iterations');
			assert.match(result.message, /whole number from 1 to 5/);
			assert.match(result.message, new RegExp(`got ${JSON.stringify(iterations).replace(/[.]/g, '\\.')}`));
		});
	}

	for (const variations of [0, 6, 2.5, '3']) {
		it(`rejects variations ${JSON.stringify(variations)}`, () => {
			const result = rejected({ script: fountain(1), variations });
			assert.equal(result.field, 'variations');
			assert.match(result.message, /"variations" must be a whole number from 1 to 5: how many different takes/);
			assert.match(result.message, new RegExp(`got ${JSON.stringify(variations).replace(/[.]/g, '\\.')}`));
		});
	}

	it('keeps variations for the planning workflow', () => {
		const result = validateRunRequest({ script: fountain(2), variations: 3 });
		assert.ok(result.ok);
		assert.equal(result.options.variations, 3);
	});

	it('rejects an unknown preset, listing the known ones', () => {
		const result = rejected({ script: fountain(1), preset: 'tiktok' });
		assert.equal(result.field, 'preset');
		assert.match(result.message, /youtube, shorts, square/);
	});

	it('rejects an unknown style', () => {
		const result = rejected({ script: fountain(1), style: 'anime' });
		assert.equal(result.field, 'style');
		assert.match(result.message, /titleCard, terminal/);
	});

	it('carries the terminal colours and cursor into the run options, and names the choices when one is unknown', () => {
		const result = validateRunRequest({ script: fountain(1), style: 'terminal', terminalScheme: 'amber', terminalCursor: 'bar' });
		assert.ok(result.ok);
		assert.equal(result.options.terminalScheme, 'amber');
		assert.equal(result.options.terminalCursor, 'bar');
		const bad = rejected({ script: fountain(1), terminalScheme: 'solarized' });
		assert.equal(bad.field, 'terminalScheme');
		assert.match(bad.message, /^"terminalScheme" must be one of green, amber, solarizedDark, light: the colours of the terminal style .*\(got "solarized"\)/);
		assert.match(rejected({ script: fountain(1), terminalCursor: 'beam' }).message, /one of block, underline, bar/);
	});

	it('carries the terminal prompt, window and effects into the run options; an unknown one is a 400 naming the field', () => {
		const result = validateRunRequest({
			script: fountain(1),
			style: 'terminal',
			terminalPrompt: 'shell',
			terminalChrome: 'none',
			terminalEffects: ['scanlines', 'glitch'],
		});
		assert.ok(result.ok);
		assert.equal(result.options.terminalPrompt, 'shell');
		assert.equal(result.options.terminalChrome, 'none');
		assert.deepEqual(result.options.terminalEffects, ['scanlines', 'glitch']);
		const defaults = validateRunRequest({ script: fountain(1) });
		assert.ok(defaults.ok);
		assert.deepEqual([defaults.options.terminalPrompt, defaults.options.terminalChrome, defaults.options.terminalEffects], ['arrow', 'mac', []]);
		const prompt = rejected({ script: fountain(1), terminalPrompt: 'zsh' });
		assert.equal(prompt.field, 'terminalPrompt');
		assert.match(prompt.message, /"terminalPrompt" must be one of arrow, dollar, chevron, shell, none.*\(got "zsh"\)/);
		const chrome = rejected({ script: fountain(1), terminalChrome: 'windows' });
		assert.equal(chrome.field, 'terminalChrome');
		assert.match(chrome.message, /one of mac, plain, none/);
		const effects = rejected({ script: fountain(1), terminalEffects: ['scanlines', 'sparkles'] });
		assert.equal(effects.field, 'terminalEffects');
		assert.match(effects.message, /scanlines, glitch/);
		assert.equal(rejected({ script: fountain(1), terminalEffects: 'scanlines' }).field, 'terminalEffects');
	});

	it('rejects an unknown field by name', () => {
		const result = rejected({ script: fountain(1), iteration: 3 });
		assert.equal(result.field, 'iteration');
		assert.match(result.message, /Unknown field "iteration"/);
	});

	for (const [field, value] of [
		['threshold', 101],
		['concurrency', 9],
		['validationAttempts', -1],
		['priority', 101],
		['format', 'docx'],
		['sceneCount', 21],
		['targetDuration', 4],
		['subtitles', 'embed'],
		['transition', 'wipe'],
		['loudnessTarget', -3],
		['narrateAction', 'sometimes'],
		['terminalScheme', 'pink'],
		['terminalCursor', 'beam'],
		['terminalPrompt', '#'],
		['terminalChrome', 'round'],
		['terminalEffects', ['blur']],
		['voiceMap', { ALICE: 3 }],
		['campaign', 'x'.repeat(201)],
	] as const) {
		it(`rejects ${field} = ${JSON.stringify(value).slice(0, 20)}`, () => {
			assert.equal(rejected({ script: fountain(1), [field]: value }).field, field);
		});
	}

	it('refuses NUL characters by field and line, anywhere in the body', () => {
		const script = `${fountain(1)}\nBOB\nHel\u0000lo.\n`;
		const result = rejected({ script });
		assert.equal(result.field, 'script');
		const line = script.slice(0, script.indexOf('\u0000')).split('\n').length;
		assert.equal(
			result.message,
			`"script" holds a NUL character (\\u0000) on line ${line}, which cannot be stored. Remove it (text copied from a binary file often brings them) and send again.`,
		);
		assert.equal(rejected({ script: fountain(1), title: 'A\u0000B' }).field, 'title');
		assert.equal(rejected({ script: fountain(1), voiceMap: { 'AL\u0000ICE': 'en' } }).field, 'voiceMap');
		assert.equal(rejected(`{"script": ${JSON.stringify(fountain(1))}, "campaign": "x\\u0000"}`).field, 'campaign');
	});

	it('names a number too large to hold as what was sent, not as null', () => {
		const body = `{"script": ${JSON.stringify(fountain(1))}, "threshold": 1e400}`;
		const result = rejected(body);
		assert.equal(result.field, 'threshold');
		assert.doesNotMatch(result.message, /got null/);
		// Node 24 (inside n8n) gives the reviver the source text; older Node only knows it overflowed.
		assert.match(result.message, /\(got (1e400, )?a number too large to use: beyond ±1\.8e308\)/);
		if (Number(process.versions.node.split('.')[0]) >= 24) assert.match(result.message, /got 1e400,/);
		assert.match(rejected({ script: fountain(1), threshold: -Infinity }).message, /threshold.*too large to use/);
	});

	it('rejects a voiceMap value that no provider could speak with, naming voiceMap.<character> and what to send', () => {
		for (const voice of ['--help', '-v', '../../etc/passwd', 'en-us+f3 --stdout', '']) {
			const result = rejected({ script: fountain(1), voiceMap: { ALICE: 'en-us+f3', LEON: voice } });
			assert.equal(result.field, voice === '' ? 'voiceMap' : 'voiceMap.LEON', voice);
			if (voice === '') continue;
			assert.equal(
				result.message,
				`"voiceMap.LEON" is ${JSON.stringify(voice)}, which is not a voice: a voice name starts with a letter or digit and holds only letters, digits, "-", "_" and "+" (no spaces, dots or slashes). Send a voice such as "en-us+f3" (espeak-ng), "21m00Tcm4TlvDq8ikWAM" (ElevenLabs) or "en-US-Neural2-F" (Google), or leave LEON out of "voiceMap".`,
			);
		}
		// Names of every provider pass here; whether the run's first speech provider has them is Accept's check.
		const names = { A: 'en-us+f3', B: 'ar', C: '21m00Tcm4TlvDq8ikWAM', D: 'en-US-Chirp3-HD-Achernar', NARRATOR: 'en-gb+m3' };
		const result = validateRunRequest({ script: fountain(1), voiceMap: names });
		assert.ok(result.ok);
		assert.deepEqual(result.options.voiceMap, names);
	});

	it('rejects a script with no recognisable scene, saying what a scene looks like', () => {
		const result = rejected({ script: 'Just some words without any heading.', format: 'fountain' });
		assert.equal(result.field, 'script');
		assert.match(result.message, /INT\. KITCHEN - NIGHT/);
	});

	it('rejects a script with more than 50 scenes', () => {
		const result = rejected({ script: fountain(73) });
		assert.equal(result.field, 'script');
		assert.equal(result.message, 'The script has 73 scenes; a run takes at most 50. Split it into several runs.');
	});

	it('rejects a script of few scenes whose dialogue alone would refine into more than 50 clips, before any work', () => {
		// Ten scenes of 30 lines of 13 words each (5.7 s a line): three lines fill a 20 s clip, so 100 clips in all.
		const line = 'We have to leave now before the river rises over the old stone bridge tonight.'.split(' ').slice(0, 13).join(' ');
		const scenes = Array.from({ length: 10 }, (_, n) =>
			[`INT. HALL ${n + 1} - NIGHT`, '', ...Array.from({ length: 30 }, (_, i) => [i % 2 ? 'BOB' : 'ALICE', `${line}.`, '']).flat()].join('\n'),
		);
		const result = rejected({ script: scenes.join('\n'), format: 'fountain' });
		assert.equal(result.field, 'script');
		assert.equal(
			result.message,
			'The script needs at least 100 scenes of at most 20 s for its dialogue alone; a run takes at most 50. Split it into several runs, cut dialogue, or use a video provider with longer clips.',
		);
	});
});

describe('reference frames for image-to-video', () => {
	const png = `data:image/png;base64,${Buffer.from('not really a png but base64').toString('base64')}`;

	it('keeps per-scene references (https URL or data URI) and the storyboard option', () => {
		const result = validateRunRequest({
			script: fountain(3),
			referenceFrames: 'storyboard',
			references: { 1: 'https://example.com/alice.png', 2: 'https://[2606:4700::1111]/b.png', 3: png },
		});
		assert.ok(result.ok, JSON.stringify(result));
		assert.equal(result.options.referenceFrames, 'storyboard');
		assert.deepEqual(result.options.references, { 1: 'https://example.com/alice.png', 2: 'https://[2606:4700::1111]/b.png', 3: png });
	});

	for (const [what, references, message] of [
		[
			'a plain http URL',
			{ 1: 'http://example.com/a.png' },
			/^"references" for scene 1 must be an https URL or a data URI such as data:image\/png;base64,\.\.\. \(got "http:\/\/example\.com\/a\.png"\)\. Fix "references"/,
		],
		['a number', { 2: 42 }, /^"references" for scene 2 must be a text \(an https URL or a data URI\), not number/],
		['a GIF data URI', { 1: 'data:image/gif;base64,R0lGOD' }, /^"references" for scene 1 must be an https URL or a data URI/],
		[
			'a key that is not a scene number',
			{ first: 'https://example.com/a.png' },
			/^"references" keys must be scene numbers such as "1" \(got "first"\)/,
		],
		['a list', ['https://example.com/a.png'], /^"references" must be an object mapping scene numbers to the image/],
		[
			'a scene the script does not have',
			{ 4: 'https://example.com/a.png' },
			/^"references" has an image for scene 4, but the script has 3 scenes\. Use scene numbers from 1 to 3\.$/,
		],
		[
			'the cloud metadata address',
			{ 1: 'https://169.254.169.254/latest/meta-data/' },
			/^"references" for scene 1 points at 169\.254\.169\.254, a link-local address \(where cloud metadata services answer\); use a public URL/,
		],
		['metadata behind IPv6', { 1: 'https://[::ffff:169.254.169.254]/a.png' }, /points at ::ffff:a9fe:a9fe, a link-local address/],
		['loopback written as a number', { 1: 'https://2130706433/a.png' }, /points at 127\.0\.0\.1, a loopback address/],
		['a private address', { 2: 'https://10.0.0.8/a.png' }, /points at 10\.0\.0\.8, a private network address/],
		['an IPv6 unique local address', { 1: 'https://[fd00:ec2::254]/a.png' }, /a private network address/],
		[
			'a metadata host name',
			{ 1: 'https://metadata.google.internal/computeMetadata/v1/' },
			/"metadata\.google\.internal", a name that only exists inside a network/,
		],
		['localhost', { 1: 'https://localhost:8443/a.png' }, /"localhost", a name that only exists inside a network/],
		['a single-label host', { 1: 'https://intranet/a.png' }, /"intranet", a name that only exists/],
		['a URL with a password', { 1: 'https://me:secret@example.com/a.png' }, /carries a user name or password/],
		[
			'a data URI over 5 MB',
			{ 1: `data:image/png;base64,${'A'.repeat(5 * 1024 * 1024)}` },
			/^"references" for scene 1 is a data URI of 5\.0 MB; the limit is 5 MB/,
		],
	] as const) {
		it(`rejects references with ${what}, naming the field`, () => {
			const result = rejected({ script: fountain(3), references });
			assert.equal(result.field, 'references');
			assert.match(result.message, message);
		});
	}

	it('rejects an unknown referenceFrames value', () => {
		const result = rejected({ script: fountain(1), referenceFrames: 'sketch' });
		assert.equal(result.field, 'referenceFrames');
		assert.match(result.message, /"referenceFrames" must be one of none, storyboard/);
	});
});

describe('the music bed', () => {
	it('keeps the music: a URL or a stored key, with volume −20 and ducking on unless given', () => {
		const byUrl = validateRunRequest({ script: fountain(1), music: { url: 'https://example.com/bed.mp3' } });
		assert.ok(byUrl.ok);
		assert.deepEqual(byUrl.options.music, { url: 'https://example.com/bed.mp3', volume: -20, duck: true });
		const byKey = validateRunRequest({ script: fountain(1), music: { key: 'music/bed.mp3', volume: -28, duck: false } });
		assert.ok(byKey.ok);
		assert.deepEqual(byKey.options.music, { key: 'music/bed.mp3', volume: -28, duck: false });
		const none = validateRunRequest({ script: fountain(1), music: null });
		assert.ok(none.ok);
		assert.equal(none.options.music, null);
	});

	for (const [what, music, field, message] of [
		['a text instead of an object', 'https://example.com/bed.mp3', 'music', /^"music" must be background music for the run/],
		['neither url nor key', { volume: -20 }, 'music', /"music" has neither "url" nor "key"/],
		['both url and key', { url: 'https://example.com/a.mp3', key: 'a.mp3' }, 'music', /both "url" and "key"/],
		['an unknown part', { url: 'https://example.com/a.mp3', gain: 3 }, 'music.gain', /unknown field "gain"/],
		['plain http', { url: 'http://example.com/a.mp3' }, 'music.url', /^"music\.url" must be an https URL/],
		[
			'the cloud metadata address',
			{ url: 'https://169.254.169.254/latest/meta-data/' },
			'music.url',
			/points at 169\.254\.169\.254, a link-local address/,
		],
		['loopback', { url: 'https://127.0.0.1/a.mp3' }, 'music.url', /points at 127\.0\.0\.1, a loopback address/],
		['a private address', { url: 'https://192.168.1.20/a.mp3' }, 'music.url', /a private network address/],
		['an inside name', { url: 'https://files.internal/a.mp3' }, 'music.url', /a name that only exists inside a network/],
		['a key that climbs out', { key: '../other/secret.mp3' }, 'music.key', /without a leading "\/" or "\.\." parts/],
		["another run's artifact", { key: 'runs/6f1c1a52-4c1e-4a8e-9d61-0b8f2f8f2a11/final/youtube.mp4' }, 'music.key', /names a run's artifact \(runs\/…\); music must be a file of your own outside runs\//],
		['a volume above 0', { url: 'https://example.com/a.mp3', volume: 6 }, 'music.volume', /^"music\.volume" must be a number of dB from -40 to 0/],
		['a volume below −40', { key: 'bed.mp3', volume: -60 }, 'music.volume', /from -40 to 0.*got -60/],
		['a volume as text', { key: 'bed.mp3', volume: 'quiet' }, 'music.volume', /got "quiet"/],
		['duck as text', { key: 'bed.mp3', duck: 'yes' }, 'music.duck', /"music\.duck" must be true/],
	] as const) {
		it(`rejects music with ${what}, naming ${field}`, () => {
			const result = rejected({ script: fountain(1), music });
			assert.equal(result.field, field);
			assert.match(result.message, message);
		});
	}
});

describe('your own clip per scene (sceneMedia)', () => {
	it('keeps each scene\'s clip, by URL or by key, with the key trimmed', () => {
		const result = validateRunRequest({
			script: fountain(3),
			sceneMedia: [
				{ scene: 2, clip: { key: ' clips/intro.mp4 ' } },
				{ scene: 3, clip: { url: 'https://example.com/outro.mp4' } },
			],
		});
		assert.ok(result.ok);
		assert.deepEqual(result.options.sceneMedia, [
			{ scene: 2, clip: { key: 'clips/intro.mp4' } },
			{ scene: 3, clip: { url: 'https://example.com/outro.mp4' } },
		]);
	});

	it('keeps a voice-over with or without its subtitle text, alone or with a clip', () => {
		const result = validateRunRequest({
			script: fountain(3),
			sceneMedia: [
				{ scene: 1, voiceOver: { key: 'voice/one.wav', text: ' Hello there. ' } },
				{ scene: 2, clip: { key: 'clips/two.mp4' }, voiceOver: { url: 'https://example.com/two.mp3' } },
			],
		});
		assert.ok(result.ok);
		assert.deepEqual(result.options.sceneMedia, [
			{ scene: 1, voiceOver: { key: 'voice/one.wav', text: 'Hello there.' } },
			{ scene: 2, clip: { key: 'clips/two.mp4' }, voiceOver: { url: 'https://example.com/two.mp3' } },
		]);
	});

	it('keeps a still by key or by URL, alone or with a voice-over', () => {
		const result = validateRunRequest({
			script: fountain(3),
			sceneMedia: [
				{ scene: 1, still: { key: ' campaigns/0d5f3d4e-2a61-4b8c-9a3e-5c1f7e9b2d10/media/still/a.png ' } },
				{ scene: 3, still: { url: 'https://example.com/poster.jpg' }, voiceOver: { key: 'voice/three.wav' } },
			],
		});
		assert.ok(result.ok, JSON.stringify(result));
		assert.deepEqual(result.options.sceneMedia, [
			{ scene: 1, still: { key: 'campaigns/0d5f3d4e-2a61-4b8c-9a3e-5c1f7e9b2d10/media/still/a.png' } },
			{ scene: 3, still: { url: 'https://example.com/poster.jpg' }, voiceOver: { key: 'voice/three.wav' } },
		]);
	});

	it("refuses another campaign's uploads once the run's campaign is known, naming the field", () => {
		const own = '0d5f3d4e-2a61-4b8c-9a3e-5c1f7e9b2d10';
		const other = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
		const options = {
			sceneMedia: [
				{ scene: 1, still: { key: `campaigns/${own}/media/still/a.png` } },
				{ scene: 2, clip: { url: 'https://example.com/b.mp4' }, voiceOver: { key: `campaigns/${other}/media/voiceOver/b.wav` } },
			],
			music: null,
		};
		assert.equal(foreignMediaProblem({ sceneMedia: [options.sceneMedia[0]] }, own), null);
		assert.equal(foreignMediaProblem({ sceneMedia: [{ scene: 1, clip: { key: 'clips/own.mp4' } }] }, null), null, 'keys outside campaigns/ stay usable');
		const refused = foreignMediaProblem(options, own);
		assert.equal(refused?.field, 'sceneMedia[1].voiceOver.key');
		assert.match(refused!.message, /a file of another campaign\. Upload the file to this run's campaign/);
		const music = foreignMediaProblem({ music: { key: `campaigns/${other}/media/music/bed.mp3` } }, own);
		assert.equal(music?.field, 'music.key');
		// A campaign that does not exist yet owns no folder.
		assert.equal(foreignMediaProblem({ sceneMedia: [options.sceneMedia[0]] }, null)?.field, 'sceneMedia[0].still.key');
	});

	for (const [what, sceneMedia, field, message] of [
		['an object instead of a list', { 2: { key: 'a.mp4' } }, 'sceneMedia', /^"sceneMedia" must be a list of the scenes/],
		['an entry that is not an object', ['a.mp4'], 'sceneMedia[0]', /^"sceneMedia\[0\]" must be an object/],
		['an unknown field in an entry', [{ scene: 1, clip: { key: 'a.mp4' }, music: 'x' }], 'sceneMedia[0].music', /unknown field "music"/],
		['a scene that is not a number', [{ scene: 'two', clip: { key: 'a.mp4' } }], 'sceneMedia[0].scene', /must be a scene number from 1 up/],
		['scene 0', [{ scene: 0, clip: { key: 'a.mp4' } }], 'sceneMedia[0].scene', /got 0/],
		[
			'the same scene twice',
			[
				{ scene: 1, clip: { key: 'a.mp4' } },
				{ scene: 1, clip: { key: 'b.mp4' } },
			],
			'sceneMedia[1].scene',
			/sceneMedia\[0\] already gives media for/,
		],
		['no clip, still or voice-over', [{ scene: 1 }], 'sceneMedia[0]', /"sceneMedia\[0\]" has none of "clip", "still" and "voiceOver"/],
		['a clip and a still for one scene', [{ scene: 1, clip: { key: 'a.mp4' }, still: { key: 'a.png' } }], 'sceneMedia[0].still', /has both "clip" and "still"; a scene shows one of them/],
		['a still as text', [{ scene: 1, still: 'a.png' }], 'sceneMedia[0].still', /must be the still as \{"key": …\} or \{"url": …\}/],
		['a still on a private address', [{ scene: 1, still: { url: 'https://192.168.1.10/a.png' } }], 'sceneMedia[0].still.url', /a private network address/],
		['a still with an unknown field', [{ scene: 1, still: { key: 'a.png', zoom: 2 } }], 'sceneMedia[0].still.zoom', /unknown field "zoom"/],
		[
			"another run's frame as a still",
			[{ scene: 1, still: { key: 'runs/6f1c1a52-4c1e-4a8e-9d61-0b8f2f8f2a11/scenes/001/frame-check.jpg' } }],
			'sceneMedia[0].still.key',
			/the still must be a file of your own outside runs\//,
		],
		['a voice-over over plain http', [{ scene: 1, voiceOver: { url: 'http://example.com/vo.mp3' } }], 'sceneMedia[0].voiceOver.url', /must be an https URL/],
		['a voice-over with an unknown field', [{ scene: 1, voiceOver: { key: 'vo.mp3', volume: 3 } }], 'sceneMedia[0].voiceOver.volume', /it may have url, key, text/],
		['voice-over text that is not text', [{ scene: 1, voiceOver: { key: 'vo.mp3', text: 42 } }], 'sceneMedia[0].voiceOver.text', /must be the words of the voice-over/],
		['empty voice-over text', [{ scene: 1, voiceOver: { key: 'vo.mp3', text: '  ' } }], 'sceneMedia[0].voiceOver.text', /1 to 5000 characters/],
		['a clip as text', [{ scene: 1, clip: 'a.mp4' }], 'sceneMedia[0].clip', /must be the clip as \{"key": …\} or \{"url": …\}/],
		['both url and key', [{ scene: 1, clip: { key: 'a.mp4', url: 'https://example.com/a.mp4' } }], 'sceneMedia[0].clip', /both "url" and "key"/],
		['an unknown clip field', [{ scene: 1, clip: { path: '/tmp/a.mp4' } }], 'sceneMedia[0].clip.path', /unknown field "path"/],
		['plain http', [{ scene: 1, clip: { url: 'http://example.com/a.mp4' } }], 'sceneMedia[0].clip.url', /^"sceneMedia\[0\]\.clip\.url" must be an https URL/],
		[
			'the cloud metadata address',
			[{ scene: 1, clip: { url: 'https://169.254.169.254/latest/meta-data/' } }],
			'sceneMedia[0].clip.url',
			/a link-local address/,
		],
		['a private address', [{ scene: 1, clip: { url: 'https://10.0.0.5/a.mp4' } }], 'sceneMedia[0].clip.url', /a private network address/],
		['a key that climbs out', [{ scene: 1, clip: { key: '../secret.mp4' } }], 'sceneMedia[0].clip.key', /without a leading "\/" or "\.\." parts/],
		[
			"another run's clip",
			[{ scene: 1, clip: { key: 'runs/6f1c1a52-4c1e-4a8e-9d61-0b8f2f8f2a11/scenes/1/clip.mp4' } }],
			'sceneMedia[0].clip.key',
			/names a run's artifact \(runs\/…\); the clip must be a file of your own outside runs\//,
		],
		['a scene the script does not have', [{ scene: 1, clip: { key: 'a.mp4' } }, { scene: 4, clip: { key: 'b.mp4' } }], 'sceneMedia[1].scene', /is 4, but the script has 3 scenes/],
	] as const) {
		it(`rejects ${what}, naming ${field}`, () => {
			const result = rejected({ script: fountain(3), sceneMedia });
			assert.equal(result.field, field);
			assert.match(result.message, message);
		});
	}
});
