/** Tool inputs as Claude would send them, for the fake Anthropic server to answer with. */
export function planInput(overrides: Record<string, unknown> = {}) {
	return {
		title: 'Coffee Break',
		scenes: [
			{
				heading: 'INT. KITCHEN - MORNING',
				interior: 'INT',
				location: 'KITCHEN',
				timeOfDay: 'MORNING',
				action: 'Alice pours coffee.',
				visualDescription: 'A sunlit kitchen; Alice in a green sweater pours coffee into a white mug, close-up.',
				dialogue: [{ speaker: 'ALICE', text: 'Finally, some quiet.' }],
				narration: '',
				characters: ['ALICE'],
				duration: 4.04,
			},
			{
				heading: 'EXT. GARDEN - MORNING',
				interior: 'EXT',
				location: 'GARDEN',
				timeOfDay: 'MORNING',
				action: 'Bob waves from the fence.',
				visualDescription: 'Wide shot of a dewy garden; Bob, grey beard, waves over a wooden fence.',
				dialogue: [
					{ speaker: 'BOB', text: 'Morning!', parenthetical: 'cheerful' },
					{ speaker: 'ALICE', text: 'Morning, Bob.' },
				],
				narration: '',
				characters: ['ALICE', 'BOB'],
				duration: 6,
			},
		],
		characters: [
			{ name: 'ALICE', description: 'Woman in her thirties, short dark hair, green sweater.' },
			{ name: 'BOB', description: 'Neighbour in his sixties, grey beard, flat cap.' },
		],
		settings: [
			{ name: 'KITCHEN', interior: 'INT', timeOfDay: 'MORNING', description: 'Small bright kitchen, white tiles.' },
			{ name: 'GARDEN', description: 'Green garden behind a wooden fence.' },
		],
		...overrides,
	};
}

export const critiqueInput = {
	score: 80,
	issues: [
		{ code: 'scene-over-clip-limit', scene: 2, message: 'Scene 2 runs 12 s; split it to fit 10 s clips.', penalty: 20 },
	],
};

export function metadataInput(overrides: Record<string, unknown> = {}) {
	return {
		title: 'Coffee Break: Finally, Some Quiet',
		description: 'Alice finds ten quiet seconds before the day begins.\nThen Bob waves over the fence.\n\nA short about morning rituals.',
		tags: ['coffee', 'morning routine', '#short film', 'Coffee', 'neighbours'],
		thumbnailText: 'Finally, quiet',
		...overrides,
	};
}
