import { test } from 'vitest';
import assert from 'node:assert/strict';
import { detectFormat, parseScript, ScriptError } from '../../nodes/shared/screenplay/parse';
import { expectedDuration, script, wordCount } from './fixtures';

const speech = (plan: ReturnType<typeof parseScript>, number: number) =>
	plan.scenes[number - 1].dialogue.map((line) => [line.speaker, line.text, line.parenthetical ?? null]);

test('a Fountain screenplay becomes three scenes with headings, places and times', () => {
	const plan = parseScript(script('three-scenes.fountain'));
	assert.equal(plan.schemaVersion, 1);
	assert.equal(plan.format, 'fountain');
	assert.equal(plan.title, 'The Last Kettle');
	assert.equal(plan.targetDuration, null);
	assert.deepEqual(
		plan.scenes.map((scene) => [scene.number, scene.heading, scene.interior, scene.location, scene.timeOfDay]),
		[
			[1, 'INT. KITCHEN - NIGHT', 'INT', 'KITCHEN', 'NIGHT'],
			[2, 'EXT. GARDEN - DAY', 'EXT', 'GARDEN', 'DAY'],
			[3, 'INT. KITCHEN - NIGHT', 'INT', 'KITCHEN', 'NIGHT'],
		],
	);
});

test('Fountain dialogue keeps its order, speakers and parentheticals; extensions, ^ and emphasis are dropped', () => {
	const plan = parseScript(script('three-scenes.fountain'));
	assert.deepEqual(speech(plan, 1), [
		['ALICE', 'Is the kettle on?', 'whispering'],
		['BOB', 'It is now.', null],
	]);
	assert.deepEqual(speech(plan, 2), [
		['BOB', 'Found it by the roses.', null],
		['ALICE', 'Of course you did.', null],
	]);
	assert.deepEqual(speech(plan, 3), [
		['ALICE', 'To finally finding things.', null],
		['BOB', 'Cheers to us.', 'raising his cup'],
	]);
	for (const scene of plan.scenes) assert.equal(scene.narration, '');
});

test('notes, boneyard, synopses and transitions never reach the plan', () => {
	const plan = parseScript(script('three-scenes.fountain'));
	const everything = JSON.stringify(plan);
	for (const hidden of ['Maybe a dog', 'ATTIC', 'Nobody will miss this', 'comes back with the key', 'FADE IN', '[[', '/*']) {
		assert.ok(!everything.includes(hidden), `plan should not contain ${hidden}`);
	}
	assert.equal(plan.scenes[1].action, 'BOB (40s, muddy boots) waves a rusty key at the fence.');
	// Transitions end the scene they follow (the assembly can crossfade on them); they are never action or speech.
	assert.deepEqual(
		plan.scenes.map((scene) => scene.transition),
		['CUT TO:', null, 'FADE OUT.'],
	);
	const story = JSON.stringify(plan.scenes.map((scene) => [scene.action, scene.visualDescription, scene.dialogue]));
	assert.ok(!story.includes('CUT TO') && !story.includes('FADE'));
});

test('Fountain characters: line counts, scenes and the sentence that introduces them', () => {
	const plan = parseScript(script('three-scenes.fountain'));
	assert.deepEqual(plan.characters, [
		{
			name: 'ALICE',
			lines: 3,
			scenes: [1, 2, 3],
			description: 'ALICE (30s, tired) stirs a pot of soup under a flickering bulb.',
		},
		{ name: 'BOB', lines: 3, scenes: [1, 2, 3], description: 'BOB (40s, muddy boots) waves a rusty key at the fence.' },
	]);
	assert.deepEqual(
		plan.scenes.map((scene) => scene.characters),
		[
			['ALICE', 'BOB'],
			['ALICE', 'BOB'],
			['ALICE', 'BOB'],
		],
	);
});

test('settings are one per place, with their scenes and opening action', () => {
	const plan = parseScript(script('three-scenes.fountain'));
	assert.deepEqual(plan.settings, [
		{
			name: 'KITCHEN',
			interior: 'INT',
			timeOfDay: 'NIGHT',
			description: 'ALICE (30s, tired) stirs a pot of soup under a flickering bulb.',
			scenes: [1, 3],
		},
		{
			name: 'GARDEN',
			interior: 'EXT',
			timeOfDay: 'DAY',
			description: 'BOB (40s, muddy boots) waves a rusty key at the fence.',
			scenes: [2],
		},
	]);
});

test('visual descriptions start with the place and time, then the action', () => {
	const plan = parseScript(script('three-scenes.fountain'));
	assert.equal(
		plan.scenes[0].visualDescription,
		'Interior, Kitchen, night. ALICE (30s, tired) stirs a pot of soup under a flickering bulb.',
	);
	assert.equal(plan.scenes[2].visualDescription, 'Interior, Kitchen, night. The kettle whistles. Alice pours two cups.');
});

test('durations follow the words-per-second rule exactly, and suit the end-to-end render (2–8 s each)', () => {
	const plan = parseScript(script('three-scenes.fountain'));
	// Scene 1: action 12 words / 3 = 4.0 s; speech (4 / 2.5 + 0.5) + (3 / 2.5 + 0.5) = 3.8 s → 4.0 s.
	// Scene 2: action 11 words / 3 = 3.67 s; speech (5 / 2.5 + 0.5) + (4 / 2.5 + 0.5) = 4.6 s → 4.6 s.
	// Scene 3: action 7 words / 3 = 2.33 s; speech max(4 / 2.5 + 0.5, 3 / 2.5 + 0.5) = 2.1 s, BOB's `^` line being said
	// with ALICE's (the speech step mixes the two) → 2.4 s.
	assert.deepEqual(
		plan.scenes.map((scene) => scene.duration),
		[4, 4.6, 2.4],
	);
	assert.equal(plan.scenes[2].dialogue[1].dual, true);
	for (const scene of plan.scenes) {
		assert.equal(scene.duration, expectedDuration(scene));
		assert.ok(scene.duration >= 2 && scene.duration <= 8, `scene ${scene.number} lasts ${scene.duration} s`);
	}
	assert.equal(plan.totalDuration, 11);
});

test('a screenplay pasted from a PDF: indentation marks speakers, margins and page numbers are dropped', () => {
	const text = script('pasted-screenplay.txt');
	assert.equal(detectFormat(text), 'screenplay');
	const plan = parseScript(text);
	assert.equal(plan.format, 'screenplay');
	assert.equal(plan.title, 'THE MIDNIGHT TRAIN');
	assert.deepEqual(
		plan.scenes.map((scene) => [scene.heading, scene.interior, scene.location, scene.timeOfDay]),
		[
			['EXT. TRAIN PLATFORM - NIGHT', 'EXT', 'TRAIN PLATFORM', 'NIGHT'],
			['INT. TRAIN CARRIAGE - CONTINUOUS', 'INT', 'TRAIN CARRIAGE', 'CONTINUOUS'],
		],
	);
	assert.deepEqual(speech(plan, 1), [
		['MAYA', "I'm here. Where are you?", 'into phone'],
		['DEV', 'Look up.', null],
	]);
	assert.deepEqual(speech(plan, 2), [
		['DEV', 'You kept the ticket.', null],
		['MAYA', "I keep everything. That's the problem.", null],
	]);
	assert.equal(
		plan.scenes[0].action,
		'Rain hammers the empty platform. A neon sign buzzes: LAST TRAIN 23:40.\n\nMAYA, 20s, soaked, checks her phone and paces.\n\nMaya turns. DEV, 30s, waves from the footbridge.',
	);
	assert.ok(!JSON.stringify(plan).includes('12.'), 'page number is not action');
	assert.deepEqual(
		plan.characters.map((character) => [character.name, character.lines, character.scenes, character.description]),
		[
			['MAYA', 2, [1, 2], 'MAYA, 20s, soaked, checks her phone and paces.'],
			['DEV', 2, [1, 2], 'DEV, 30s, waves from the footbridge.'],
		],
	);
	for (const scene of plan.scenes) assert.equal(scene.duration, expectedDuration(scene));
});

test('a Markdown script: ## Scene headings, SPEAKER: lines, action paragraphs and a # Title', () => {
	const text = script('coffee-break.md');
	assert.equal(detectFormat(text), 'markdown');
	const plan = parseScript(text);
	assert.equal(plan.format, 'markdown');
	assert.equal(plan.title, 'Coffee Break');
	assert.deepEqual(
		plan.scenes.map((scene) => [scene.heading, scene.interior, scene.location, scene.timeOfDay]),
		[
			['Scene 1: INT. OFFICE KITCHEN - MORNING', 'INT', 'OFFICE KITCHEN', 'MORNING'],
			['Scene 2 — Rooftop, afternoon', null, 'Rooftop', 'afternoon'],
			['Scene 3', null, '', null],
		],
	);
	assert.deepEqual(speech(plan, 1), [
		['JO', 'Who finished the coffee?', null],
		['SAM', 'Define "finished".', 'guilty'],
	]);
	assert.deepEqual(speech(plan, 2), [
		['SAM', "Half each. That's fair.", null],
		['JO', 'Fair would be a full pot.', null],
	]);
	assert.equal(
		plan.scenes[1].action,
		'Sam and Jo share one paper cup on the windy roof.\n\nA pigeon lands on the railing.',
	);
	// The logline before the first scene is front matter; a scene with only dialogue has no picture yet.
	assert.ok(!JSON.stringify(plan.scenes).includes('tiny office comedy'));
	assert.equal(plan.scenes[2].visualDescription, '');
	assert.deepEqual(
		plan.characters.map((character) => [character.name, character.lines, character.scenes, character.description]),
		[
			['JO', 3, [1, 2, 3], 'JO stares at the empty coffee machine, mug in hand.'],
			['SAM', 2, [1, 2], ''],
		],
	);
	assert.deepEqual(
		plan.settings.map((setting) => [setting.name, setting.interior, setting.scenes]),
		[
			['OFFICE KITCHEN', 'INT', [1]],
			['Rooftop', null, [2]],
		],
	);
	for (const scene of plan.scenes) assert.equal(scene.duration, expectedDuration(scene));
});

test('a Reddit-style post becomes narrated parts of about 25–40 words, every word kept in order', () => {
	const text = script('reddit-post.txt');
	assert.equal(detectFormat(text), 'post');
	const plan = parseScript(text);
	assert.equal(plan.format, 'post');
	assert.equal(plan.title, 'TIFU by locking myself out on my own balcony');
	const body = text.split('\n').slice(1).join(' ');
	assert.equal(plan.scenes.map((scene) => scene.narration).join(' '), body.replace(/\s+/g, ' ').trim());
	assert.equal(plan.scenes.length, Math.round(wordCount(body) / 32));
	// The title opens the video; later parts carry it with their number.
	plan.scenes.forEach((scene, index) => {
		assert.equal(scene.heading, index === 0 ? plan.title : `${plan.title} — Part ${index + 1}`);
		assert.equal(scene.interior, null);
		assert.deepEqual(scene.dialogue, []);
		assert.deepEqual(scene.characters, []);
		const words = wordCount(scene.narration);
		assert.ok(words >= 20 && words <= 45, `part ${index + 1} has ${words} words`);
		// The picture is a shot to draw, not the post's first-person words copied out.
		assert.ok(scene.visualDescription.startsWith('Medium shot of the narrator'), scene.visualDescription);
		assert.ok(!scene.narration.includes(scene.visualDescription.slice(0, 20)));
		assert.equal(scene.duration, expectedDuration(scene));
	});
	assert.deepEqual(plan.characters, []);
	assert.deepEqual(plan.settings, []);
});

test('a post takes the requested scene count and title, and never more scenes than sentences', () => {
	const text = script('reddit-post.txt');
	const three = parseScript(text, { format: 'post', sceneCount: 3, title: 'Balcony' });
	assert.equal(three.title, 'Balcony');
	assert.equal(three.scenes.length, 3);
	const many = parseScript('One sentence here. And a second one.', { format: 'post', sceneCount: 10 });
	assert.deepEqual(
		many.scenes.map((scene) => scene.narration),
		['One sentence here.', 'And a second one.'],
	);
	// A repeated title line is not narrated twice.
	const repeated = parseScript('My Story\n\nIt was a dark night in the city.', { title: 'My story' });
	assert.equal(repeated.scenes[0].narration, 'It was a dark night in the city.');
});

test('Markdown scene headings reach the plan as the words they show: no hashes, bold, code or link markup', () => {
	const headings = [
		['## Scene 1: INT. OFFICE KITCHEN - MORNING', 'Scene 1: INT. OFFICE KITCHEN - MORNING'],
		['## **Scene 2: EXT. ROOF - DAY**', 'Scene 2: EXT. ROOF - DAY'],
		['**## Scene 3: INT. CAR - NIGHT**', 'Scene 3: INT. CAR - NIGHT'],
		['### __Scene 4__ — *the call* ###', 'Scene 4 — the call'],
		['## Scene 5: `INT. LAB` - [night](https://example.com/night)', 'Scene 5: INT. LAB - night'],
		['**Scene 6: The end**', 'Scene 6: The end'],
	];
	const text = ['# **Coffee** Break', '', ...headings.flatMap(([line], index) => [line, '', `JO: Line ${index + 1}.`, ''])].join('\n');
	assert.equal(detectFormat(text), 'markdown');
	const plan = parseScript(text);
	assert.equal(plan.title, 'Coffee Break');
	assert.deepEqual(
		plan.scenes.map((scene) => scene.heading),
		headings.map(([, shown]) => shown),
	);
	assert.deepEqual(
		plan.scenes.slice(0, 3).map((scene) => [scene.interior, scene.location, scene.timeOfDay]),
		[
			['INT', 'OFFICE KITCHEN', 'MORNING'],
			['EXT', 'ROOF', 'DAY'],
			['INT', 'CAR', 'NIGHT'],
		],
	);
	for (const scene of plan.scenes) assert.doesNotMatch(scene.heading, /[#*_`[\]]|https?:/, scene.heading);
});

test("a post's title opens its video; later parts show their own subheading, else the title with the part number", () => {
	const sentence = (n: number) => `Sentence number ${n} of this post has exactly nine words.`;
	const post = [
		'# How I Fixed My Bike',
		'',
		[1, 2, 3, 4].map(sentence).join(' '),
		'',
		'## **The chain**',
		[5, 6, 7, 8].map(sentence).join(' '),
		'',
		[9, 10, 11, 12].map(sentence).join(' '),
	].join('\n');
	const plan = parseScript(post, { sceneCount: 3 });
	assert.equal(plan.format, 'post');
	assert.equal(plan.title, 'How I Fixed My Bike');
	assert.deepEqual(
		plan.scenes.map((scene) => scene.heading),
		['How I Fixed My Bike', 'The chain', 'How I Fixed My Bike — Part 3'],
	);
	// The subheading starts its part and is read there as a sentence of its own, not glued to the next one.
	assert.ok(plan.scenes[1].narration.startsWith('The chain. Sentence number 5'), plan.scenes[1].narration);
	assert.ok(!plan.scenes[0].narration.includes('chain'));

	// The request's title wins; without any title the parts are numbered.
	const titled = parseScript([1, 2, 3, 4, 5, 6].map(sentence).join(' '), { format: 'post', sceneCount: 2, title: 'Bike notes' });
	assert.deepEqual(titled.scenes.map((scene) => scene.heading), ['Bike notes', 'Bike notes — Part 2']);
	const untitled = parseScript([1, 2, 3, 4, 5, 6].map(sentence).join(' '), { format: 'post', sceneCount: 2 });
	assert.equal(untitled.title, 'Untitled post');
	assert.deepEqual(untitled.scenes.map((scene) => scene.heading), ['Part 1', 'Part 2']);
});

test('zero-width characters: a zero-width space parts words, joiners stay joined, soft hyphens and BOMs vanish', () => {
	const plan = parseScript(
		[
			'INT. LAB - NIGHT',
			'',
			'Zero\u200Bwidth\u200Bthere\u200Btoo. A co\u00ADoperative \uFEFFrobot\u2060arm waves.',
			'',
			'NOA\u200B',
			'I\u200Bam 👩\u200D💻 and می\u200Cخواهم.',
		].join('\n'),
	);
	assert.equal(plan.scenes[0].action, 'Zero width there too. A cooperative robotarm waves.');
	assert.deepEqual(speech(plan, 1), [['NOA', 'I am 👩\u200D💻 and می\u200Cخواهم.', null]]);
});

test('a bare paragraph with format auto is a post with one part', () => {
	const plan = parseScript('The lighthouse keeper climbs the stairs one last time and switches off the lamp.');
	assert.equal(plan.format, 'post');
	assert.equal(plan.title, 'Untitled post');
	assert.equal(plan.scenes.length, 1);
	assert.equal(plan.scenes[0].duration, Math.ceil((14 / 2.5) * 10) / 10);
});

test('quotes, colons, backslashes, percent signs, emoji, Hebrew and Arabic come through untouched', () => {
	const plan = parseScript(script('special-characters.fountain'));
	assert.equal(plan.title, '"Quotes" & 100% \\ Escapes');
	assert.equal(plan.scenes[0].action, 'A terminal blinks: C:\\Users\\noa\\run.bat --force. The fan hums at 100% 🔥.');
	assert.deepEqual(speech(plan, 1), [
		['NOA', 'She said "it\'s fine": it\'s not. 50% done \\o/ 🚀', 'typing'],
		['YUSUF', "שלום! مرحبا؟ Try `rm -rf /`... kidding; %s %d {{ $json }} ' \" \\n", null],
	]);
	assert.equal(plan.scenes[1].action, 'NOA and YUSUF watch the sunrise. A sign reads: "EXIT -> 10%".');
	// Emoji alone are not words: "Done. 🎉" is one word (0.4 s + 0.5 s pause); the action's 11 words need 3.7 s.
	assert.equal(plan.scenes[1].duration, 3.7);
	for (const scene of plan.scenes) assert.equal(scene.duration, expectedDuration(scene));
});

test('Windows line ends, a byte-order mark and tabs parse the same as plain text', () => {
	const text = script('three-scenes.fountain');
	const windows = '\uFEFF' + text.replace(/\n/g, '\r\n').replace('The kettle whistles.', 'The kettle\twhistles.');
	assert.deepEqual(
		parseScript(windows),
		parseScript(text.replace('The kettle whistles.', 'The kettle    whistles.')),
	);
	assert.equal(parseScript(windows).scenes[2].action, 'The kettle whistles. Alice pours two cups.');
});

test('Fountain odds and ends: forced and lower-case headings, scene numbers, I/E, EST, mid-speech parentheticals', () => {
	const plan = parseScript(
		[
			'.FLASHBACK - DAY',
			'',
			'A younger ZOË runs through a field.',
			'',
			'ZOË',
			'Catch me!',
			'(laughing)',
			'You never will.',
			'',
			'int. hallway - night #7#',
			'',
			'BOOM!',
			'The door shakes.',
			'',
			'@מיכל',
			'מי שם?',
			'  ',
			'Hello?',
			'',
			'I/E. CAR - MOVING',
			'',
			'EST. CITY SKYLINE - DAWN',
			'',
			'>THE END<',
		].join('\n'),
	);
	assert.equal(plan.format, 'fountain');
	assert.deepEqual(
		plan.scenes.map((scene) => [scene.heading, scene.interior, scene.location, scene.timeOfDay]),
		[
			['FLASHBACK - DAY', null, 'FLASHBACK', 'DAY'],
			['int. hallway - night', 'INT', 'hallway', 'night'],
			['I/E. CAR - MOVING', 'INT/EXT', 'CAR - MOVING', null],
			['EST. CITY SKYLINE - DAWN', 'EXT', 'CITY SKYLINE', 'DAWN'],
		],
	);
	assert.deepEqual(speech(plan, 1), [
		['ZOË', 'Catch me!', null],
		['ZOË', 'You never will.', 'laughing'],
	]);
	assert.equal(plan.scenes[1].action, 'BOOM! The door shakes.');
	assert.deepEqual(speech(plan, 2), [['מיכל', 'מי שם? Hello?', null]]);
	// ">THE END<" ends the script; it is not action to draw.
	assert.equal(plan.scenes[3].action, '');
	assert.equal(plan.characters[0].description, 'A younger ZOË runs through a field.');
});

test('empty text and text with no scene fail with a ScriptError that shows what a scene looks like', () => {
	const cases: Array<[string, Parameters<typeof parseScript>[1]]> = [
		['', {}],
		['   \n\t\r\n  ', {}],
		['... !!! --- ???', {}],
		['🎬 🎬 🎬', {}],
		['   ', { format: 'post' }],
		['Just a paragraph with no headings.', { format: 'markdown' }],
		['Just a paragraph with no headings.', { format: 'fountain' }],
		['Title: Lost Headings\nAuthor: Me\n\nALICE\nHello?\n\nBOB\nHi.', {}],
		['ALICE\nWhere are we?\n\nBOB\nNo idea.\n\nALICE\nGreat.', {}],
	];
	for (const [text, opts] of cases) {
		assert.throws(
			() => parseScript(text, opts),
			(error: unknown) => {
				assert.ok(error instanceof ScriptError, `${JSON.stringify(text)} should throw a ScriptError`);
				assert.equal(error.field, 'script');
				assert.match(error.message, /INT\. KITCHEN - NIGHT/);
				assert.match(error.message, /## Scene 1/);
				assert.match(error.message, /format "post"/);
				return true;
			},
		);
	}
	assert.throws(() => parseScript('', {}), /^ScriptError: The script is empty\./);
	assert.throws(() => parseScript('Some words.', { format: 'markdown' }), /No scene found in the Markdown script/);
});

test('format auto picks the right parser for each fixture', () => {
	assert.equal(detectFormat(script('three-scenes.fountain')), 'fountain');
	assert.equal(detectFormat(script('special-characters.fountain')), 'fountain');
	assert.equal(detectFormat(script('pasted-screenplay.txt')), 'screenplay');
	assert.equal(detectFormat(script('coffee-break.md')), 'markdown');
	assert.equal(detectFormat(script('reddit-post.txt')), 'post');
	assert.equal(detectFormat('ALICE\nWhere are we?\n\nBOB\nNo idea.'), null);
	// A post that shouts EDIT and UPDATE is still a post.
	assert.equal(detectFormat('My week\n\nEDIT\nIt got worse.\n\nUPDATE\nIt got better.'), 'post');
});

test('target duration and speaking rate are taken from the options', () => {
	const plan = parseScript(script('three-scenes.fountain'), { targetDuration: 30, wordsPerSecond: 2 });
	assert.equal(plan.targetDuration, 30);
	// Scene 2 at 2 words/s: (5 / 2 + 0.5) + (4 / 2 + 0.5) = 5.5 s.
	assert.equal(plan.scenes[1].duration, 5.5);
	assert.equal(parseScript(script('three-scenes.fountain'), { targetDuration: 0 }).targetDuration, null);
});

// Its speed is measured by bench/plan.ts (a timed test fails on a busy machine and proves nothing on a quiet one).
test('a 200 KB script parses whole, the same way every time', () => {
	const scene = (index: number) =>
		`INT. ROOM ${index} - NIGHT\n\nCAROL${index % 30} waits by the window. ALICE reads a letter under the lamp.\n\nCAROL${index % 30}\n(quietly)\nAny news from the coast?\n\nALICE\nNot yet. Maybe tomorrow.\n\n`;
	let text = '';
	for (let index = 0; text.length < 200_000; index++) text += scene(index);
	const plan = parseScript(text);
	assert.ok(plan.scenes.length > 1000);
	assert.equal(plan.characters.length, 31);
	assert.deepEqual(parseScript(text), plan);
});

test('prose that happens to start with "Est." or "Int." is still a post', () => {
	assert.equal(detectFormat('Our bakery, est. 1999, sells bread.\n\nEst. 1999 and still baking every morning before dawn.'), 'post');
	assert.equal(detectFormat('Int. rates went up again this month and nobody is happy about it.'), 'post');
	assert.equal(detectFormat('.5 percent of people read this.'), 'post');
	assert.equal(detectFormat('int. kitchen - night\n\nAlice cooks.'), 'fountain');
});
