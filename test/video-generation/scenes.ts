import type { Scene } from '../../nodes/shared/plan';

/** A plan scene with sensible defaults; tests override what they are about. */
export function makeScene(overrides: Partial<Scene> = {}): Scene {
	return {
		number: 1,
		heading: 'INT. KITCHEN - NIGHT',
		interior: 'INT',
		location: 'KITCHEN',
		timeOfDay: 'NIGHT',
		action: 'Alice stirs a pot of soup while the rain hammers against the window. The phone rings.',
		visualDescription: 'A warm kitchen at night, rain on the window, a pot steaming on the stove.',
		dialogue: [
			{ speaker: 'ALICE', text: 'Who calls at this hour?' },
			{ speaker: 'BOB', text: "It's me. Open the door, I'm soaked." },
		],
		narration: '',
		characters: ['ALICE', 'BOB'],
		duration: 2,
		...overrides,
	};
}

/** Everything a script may throw at drawtext and at a command line. */
export const HOSTILE = {
	heading: `INT. "LAB" 'A': 50% \\ %{pts} %% -vf [x];, $(rm -rf /) 😀 שלום مرحبا`,
	lines: [
		`It's "quoted": 100% \\back\\slash %{pts} %% -vf drawtext=text=owned`,
		'Emoji 😀🎬👩‍👩‍👧 and flags 🇺🇸 mixed with text',
		'עברית: שלום עולם, מה שלומך?',
		'العربية: مرحبا بالعالم',
		'line one\nline two\r\nline three\ttabbed',
		'-f lavfi -i anullsrc --help',
		'x'.repeat(2500) + ' ' + 'word '.repeat(500),
	],
};
