import clipLimits from '../data/clipLimits.json';
import takeLooks from '../data/takeLooks.json';
import { MAX_SCENES, type DialogueLine, type Plan, type Scene } from '../plan';
import { postPartHeading } from './parse';
import { countWords, escapeRegExp, sceneList, sentences } from './text';
import { sceneDuration, totalDuration } from './timing';

/**
 * Takes: different, deterministic versions of one parsed plan, for a run that asks for `variations`. Take 1 is the
 * plan as parsed (the straight telling). The others open with a cold open on a striking line of the script (a
 * different line per take), and/or tell it in fewer clips (neighbouring scenes that fit one clip merged), and each is
 * filmed in a look of its own (data/takeLooks.json). Every take keeps every line in script order after its opening,
 * so the critic holds them all to the same rubric.
 */
export interface Take {
	take: number;
	plan: Plan;
	/** What makes this take different, as a sentence for the plan version's changes. */
	description: string;
}

export interface TakeOptions {
	/** Longest clip in seconds; merged scenes stay within it (default: the local renderer's). */
	clipLimit?: number;
}

interface Variant {
	hook: number | null;
	merge: boolean;
}

/**
 * Up to `count` takes that differ from each other. Fewer when the script offers no more (a one-line, one-scene
 * script has one take). Same plan and count, same takes.
 */
export function planTakes(plan: Plan, count: number, opts: TakeOptions = {}): Take[] {
	const clipLimit = opts.clipLimit ?? clipLimits.local;
	const hooks = hookLines(plan);
	const takes: Take[] = [];
	const seen = new Set<string>();
	for (const variant of variants(hooks.length)) {
		if (takes.length >= count) break;
		const made = makeVariant(plan, variant, hooks, clipLimit);
		if (!made) continue;
		const key = JSON.stringify(made.plan.scenes);
		if (seen.has(key)) continue;
		seen.add(key);
		const look = takes.length ? takeLooks.looks[(takes.length - 1) % takeLooks.looks.length] : null;
		if (look) withLook(made.plan, look.visual);
		const description = look ? `${made.description} Look: ${look.name} (${look.visual}).` : made.description;
		takes.push({ take: takes.length + 1, plan: made.plan, description: `Take ${takes.length + 1}: ${description}` });
	}
	return takes;
}

/** Every scene of the take is filmed in the take's look (the video prompt is made from the visual description). */
function withLook(plan: Plan, visual: string): void {
	for (const scene of plan.scenes) {
		const own = (scene.visualDescription ?? '').trim().replace(/[.;,]?$/, '');
		scene.visualDescription = own ? `${own}. Look: ${visual}.` : `Look: ${visual}.`;
	}
}

/** The straight telling first, then cold opens on the hooks in rank order, each also tried with merged scenes. */
function* variants(hookCount: number): Generator<Variant> {
	yield { hook: null, merge: false };
	yield { hook: 0, merge: false };
	yield { hook: null, merge: true };
	for (let hook = 1; hook <= hookCount; hook++) {
		if (hook < hookCount) yield { hook, merge: false };
		yield { hook: hook - 1, merge: true };
	}
}

interface Hook {
	scene: number;
	speaker: string | null;
	text: string;
	offScreen?: boolean;
}

/**
 * Lines that can open the video, most striking first: questions, then exclamations, then short lines; script order
 * breaks ties. The very first words of the script are left out (they open the straight telling already).
 */
export function hookLines(plan: Plan): Hook[] {
	const found: Array<Hook & { rank: number; order: number }> = [];
	const add = (hook: Hook) => {
		const words = countWords(hook.text);
		if (words < 3 || words > 20 || found.some((other) => other.text === hook.text)) return;
		const rank = (/\?/.test(hook.text) ? 3 : 0) + (/!/.test(hook.text) ? 2 : 0) + (words <= 12 ? 1 : 0);
		found.push({ ...hook, rank, order: found.length });
	};
	plan.scenes.forEach((scene, index) => {
		if (plan.format === 'post') {
			sentences(scene.narration ?? '')
				.slice(index === 0 ? 1 : 0)
				.forEach((text) => add({ scene: scene.number, speaker: null, text }));
		} else {
			(scene.dialogue ?? [])
				.filter((line, at) => !line.dual && !(index === 0 && at === 0))
				.forEach((line) => add({ scene: scene.number, speaker: line.speaker, text: line.text, offScreen: line.offScreen }));
		}
	});
	return found
		.sort((a, b) => b.rank - a.rank || a.order - b.order)
		.map(({ scene, speaker, text, offScreen }) => ({ scene, speaker, text, ...(offScreen ? { offScreen } : {}) }));
}

function makeVariant(plan: Plan, variant: Variant, hooks: Hook[], clipLimit: number): { plan: Plan; description: string } | null {
	if (variant.hook === null && !variant.merge) return { plan: structuredClone(plan), description: 'the script as written, scene by scene.' };
	const hook = variant.hook === null ? null : hooks[variant.hook];
	if (variant.hook !== null && !hook) return null;
	// Groups of old scene numbers, each becoming one scene.
	const groups = variant.merge ? mergedGroups(plan.scenes, clipLimit) : plan.scenes.map((scene) => [scene.number]);
	if (variant.merge && groups.length === plan.scenes.length) return null;
	if (hook && groups.length + 1 > MAX_SCENES) return null;

	const byNumber = new Map(plan.scenes.map((scene) => [scene.number, scene]));
	const scenes: Scene[] = [];
	const renumbered = new Map<number, number[]>();
	if (hook) scenes.push(coldOpen(plan, hook, byNumber.get(hook.scene)!));
	for (const group of groups) {
		const merged = mergeScenes(group.map((number) => byNumber.get(number)!));
		merged.number = scenes.length + 1;
		scenes.push(merged);
		for (const number of group) renumbered.set(number, [merged.number]);
	}
	if (hook) renumbered.set(hook.scene, [1, ...(renumbered.get(hook.scene) ?? [])]);

	const next = structuredClone(plan);
	next.scenes = scenes;
	const mapNumbers = (numbers: number[]) => [...new Set(numbers.flatMap((n) => renumbered.get(n) ?? []))].sort((a, b) => a - b);
	for (const character of next.characters ?? []) {
		character.scenes = mapNumbers(character.scenes ?? []);
		if (hook?.speaker && character.name.toUpperCase() === hook.speaker.toUpperCase()) {
			character.lines += 1;
			if (!character.scenes.includes(1)) character.scenes.unshift(1);
		}
	}
	for (const setting of next.settings ?? []) setting.scenes = mapNumbers(setting.scenes ?? []);
	if (plan.format === 'post') numberParts(next.scenes, plan.title);
	next.totalDuration = totalDuration(next.scenes);

	const parts: string[] = [];
	if (hook) {
		const who = hook.speaker ? `${hook.speaker}'s line` : 'the line';
		parts.push(`opens cold on ${who} “${hook.text}” from scene ${hook.scene}`);
	}
	if (variant.merge) {
		const joined = groups.filter((group) => group.length > 1).map((group) => sceneList(group));
		parts.push(`tells it in ${groups.length} clips instead of ${plan.scenes.length} (${joined.join('; ')} merged)`);
	}
	return { plan: next, description: `${parts.join(', and ')}.` };
}

/** Neighbouring scenes taken together while they fit one clip, left to right. */
function mergedGroups(scenes: Scene[], clipLimit: number): number[][] {
	const groups: number[][] = [];
	let length = Infinity;
	for (const scene of scenes) {
		const last = groups[groups.length - 1];
		if (last && last.length < 2 && length + scene.duration <= clipLimit + 1e-9) {
			last.push(scene.number);
			length += scene.duration;
		} else {
			groups.push([scene.number]);
			length = scene.duration;
		}
	}
	return groups;
}

/** One scene from several in a row: their action, lines (still after the action they followed) and notes in order. */
function mergeScenes(group: Scene[]): Scene {
	const [first] = group;
	if (group.length === 1) return structuredClone(first);
	const dialogue: DialogueLine[] = [];
	const action: string[] = [];
	for (const scene of group) {
		const before = action.length;
		for (const line of scene.dialogue ?? []) {
			dialogue.push(line.actionBefore === undefined ? { ...line } : { ...line, actionBefore: line.actionBefore + before });
		}
		action.push(...(scene.action ?? '').split(/\n{2,}/).filter((paragraph) => paragraph.trim()));
	}
	const last = group[group.length - 1];
	return {
		...structuredClone(first),
		action: action.join('\n\n'),
		visualDescription: group
			.map((scene) => scene.visualDescription.trim())
			.filter(Boolean)
			.join(' Then: '),
		dialogue,
		narration: group
			.map((scene) => scene.narration.trim())
			.filter(Boolean)
			.join(' '),
		characters: [...new Set(group.flatMap((scene) => scene.characters ?? []))],
		duration: Math.round(group.reduce((sum, scene) => sum + scene.duration, 0) * 10) / 10,
		transition: last.transition ?? null,
		onScreenText: group.flatMap((scene) => scene.onScreenText ?? []),
		sound: group.flatMap((scene) => scene.sound ?? []),
	};
}

/** A short first scene: the hook line, spoken over the picture of the scene it comes from. */
function coldOpen(plan: Plan, hook: Hook, source: Scene): Scene {
	const scene: Scene = {
		number: 1,
		heading: plan.format === 'post' ? postPartHeading(plan.title, 1) : source.heading,
		interior: source.interior,
		location: source.location,
		timeOfDay: source.timeOfDay,
		action: '',
		visualDescription: `Cold open, close on the moment from later on: ${source.visualDescription.trim()}`,
		dialogue: hook.speaker ? [{ speaker: hook.speaker, text: hook.text, ...(hook.offScreen ? { offScreen: true } : {}) }] : [],
		narration: hook.speaker ? '' : hook.text,
		characters: hook.speaker && !hook.offScreen ? [hook.speaker] : [],
		duration: 0,
		transition: 'CUT TO:',
		onScreenText: [],
		sound: [],
	};
	scene.duration = sceneDuration(scene);
	return scene;
}

/** Posts number their parts in the heading ("Title — Part 2"): keep them in step with the new scene numbers. */
function numberParts(scenes: Scene[], title: string): void {
	const numbered = new RegExp(`^(?:${escapeRegExp(title)}(?: — Part \\d+)?|Part \\d+)$`);
	for (const scene of scenes) if (numbered.test(scene.heading)) scene.heading = postPartHeading(title, scene.number);
}
