import {
	MAX_SCENES,
	PLAN_SCHEMA_VERSION,
	type Character,
	type Critique,
	type DialogueLine,
	type Plan,
	type PlanIssue,
	type Scene,
	type Setting,
} from '../plan';
import { sceneDuration, totalDuration } from './timing';

/**
 * Plans and critiques reach the node as objects (from an expression) or as JSON text (pasted, or read from storage).
 * These readers accept both, fill fields a planner may leave out with their empty value, and otherwise say, in a few
 * words, what is wrong: the node puts that after 'The "Plan" parameter is not a Reelsmith plan: '.
 */
export type Read<T> = { value: T; problem?: undefined } | { value?: undefined; problem: string };

type Json = Record<string, unknown>;

function asObject(input: unknown, wrapper: string): { object?: Json; problem?: string } {
	let value = input;
	if (typeof value === 'string') {
		if (!value.trim()) return { problem: 'it is empty' };
		try {
			value = JSON.parse(value);
		} catch (error) {
			return { problem: `it is not valid JSON (${(error as Error).message})` };
		}
	}
	if (value === null || value === undefined || value === '') return { problem: 'it is empty' };
	if (typeof value !== 'object' || Array.isArray(value)) {
		return { problem: `it is ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}, not an object` };
	}
	const object = value as Json;
	// A whole item ({ plan: {...} }) passed where the plan was expected.
	const inner = object[wrapper];
	if (inner && typeof inner === 'object' && !Array.isArray(inner) && !('scenes' in object) && !('issues' in object)) {
		return { object: inner as Json };
	}
	return { object };
}

const text = (value: unknown, fallback = ''): string =>
	typeof value === 'string' ? value : value === null || value === undefined ? fallback : String(value);

const textList = (value: unknown): string[] =>
	Array.isArray(value) ? value.map((entry) => text(entry)).filter((entry) => entry.trim()) : [];

const interiorOf = (value: unknown): Scene['interior'] =>
	value === 'INT' || value === 'EXT' || value === 'INT/EXT' ? value : null;

export function readPlan(input: unknown): Read<Plan> {
	const { object, problem } = asObject(input, 'plan');
	if (!object) return { problem: problem! };
	if (!('scenes' in object)) return { problem: 'scenes is missing' };
	if (!Array.isArray(object.scenes)) return { problem: 'scenes is not a list' };
	if (object.scenes.length === 0) return { problem: 'scenes is empty' };

	const scenes: Scene[] = [];
	for (const [index, raw] of (object.scenes as unknown[]).entries()) {
		if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { problem: `scene ${index + 1} is not an object` };
		const scene = raw as Json;
		if (scene.dialogue !== undefined && !Array.isArray(scene.dialogue)) {
			return { problem: `scene ${index + 1}: dialogue is not a list` };
		}
		const dialogue: DialogueLine[] = [];
		for (const line of (scene.dialogue as unknown[] | undefined) ?? []) {
			if (!line || typeof line !== 'object') return { problem: `scene ${index + 1}: a dialogue line is not an object` };
			const { speaker, text: said, parenthetical, dual, offScreen, actionBefore } = line as Json;
			const entry: DialogueLine = { speaker: text(speaker, 'NARRATOR'), text: text(said) };
			if (parenthetical) entry.parenthetical = text(parenthetical);
			if (dual === true) entry.dual = true;
			if (offScreen === true) entry.offScreen = true;
			if (actionBefore !== undefined && actionBefore !== null) {
				const count = Number(actionBefore);
				if (!Number.isInteger(count) || count < 0) {
					return { problem: `scene ${index + 1}: a dialogue line's actionBefore must be a whole number of action paragraphs (got ${JSON.stringify(actionBefore)})` };
				}
				entry.actionBefore = count;
			}
			dialogue.push(entry);
		}
		const built: Scene = {
			number: Number.isInteger(scene.number) ? (scene.number as number) : index + 1,
			heading: text(scene.heading),
			interior: interiorOf(scene.interior),
			location: text(scene.location),
			timeOfDay: scene.timeOfDay === null || scene.timeOfDay === undefined ? null : text(scene.timeOfDay),
			action: text(scene.action),
			visualDescription: text(scene.visualDescription),
			dialogue,
			narration: text(scene.narration),
			characters: Array.isArray(scene.characters) ? scene.characters.map((name) => text(name)) : [],
			duration: 0,
			transition: scene.transition === null || scene.transition === undefined ? null : text(scene.transition),
			onScreenText: textList(scene.onScreenText),
			sound: textList(scene.sound),
		};
		if (scene.duration === undefined || scene.duration === null) {
			built.duration = sceneDuration(built);
		} else {
			const duration = Number(scene.duration);
			if (!Number.isFinite(duration) || duration < 0) {
				return { problem: `scene ${index + 1}: duration must be a number of seconds (got ${JSON.stringify(scene.duration)})` };
			}
			built.duration = duration;
		}
		scenes.push(built);
	}

	const characters: Character[] = [];
	for (const raw of Array.isArray(object.characters) ? object.characters : []) {
		if (!raw || typeof raw !== 'object' || !(raw as Json).name) return { problem: 'a character has no name' };
		const character = raw as Json;
		const name = text(character.name);
		characters.push({
			name,
			lines: Number.isFinite(Number(character.lines))
				? Number(character.lines)
				: scenes.reduce((sum, scene) => sum + scene.dialogue.filter((line) => line.speaker === name).length, 0),
			scenes: Array.isArray(character.scenes) ? character.scenes.map(Number).filter(Number.isFinite) : [],
			description: text(character.description),
			...(character.offScreen === true ? { offScreen: true } : {}),
		});
	}
	const settings: Setting[] = [];
	for (const raw of Array.isArray(object.settings) ? object.settings : []) {
		if (!raw || typeof raw !== 'object') continue;
		const setting = raw as Json;
		settings.push({
			name: text(setting.name),
			interior: interiorOf(setting.interior),
			timeOfDay: setting.timeOfDay === null || setting.timeOfDay === undefined ? null : text(setting.timeOfDay),
			description: text(setting.description),
			scenes: Array.isArray(setting.scenes) ? setting.scenes.map(Number).filter(Number.isFinite) : [],
		});
	}
	const format = ['fountain', 'screenplay', 'markdown', 'post'].includes(object.format as string)
		? (object.format as Plan['format'])
		: 'screenplay';
	const target = Number(object.targetDuration);
	const problems = planProblems({ scenes });
	if (problems.length) return { problem: problems[0] };
	return {
		value: {
			schemaVersion: PLAN_SCHEMA_VERSION,
			title: text(object.title, 'Untitled') || 'Untitled',
			format,
			targetDuration: object.targetDuration !== null && Number.isFinite(target) && target > 0 ? target : null,
			scenes,
			characters,
			settings,
			totalDuration: totalDuration(scenes),
		},
	};
}

/**
 * What every plan must be, whichever planner wrote it: at most MAX_SCENES scenes, every line with a speaker and words,
 * and lines placed among the scene's action paragraphs that exist. Each problem names the field, for a planner to fix.
 */
export function planProblems(plan: Pick<Plan, 'scenes'>): string[] {
	const problems: string[] = [];
	if (plan.scenes.length > MAX_SCENES) problems.push(`scenes has ${plan.scenes.length} scenes; a run takes at most ${MAX_SCENES}`);
	plan.scenes.forEach((scene, index) => {
		const paragraphs = (scene.action ?? '').split(/\n{2,}/).filter((paragraph) => paragraph.trim()).length;
		(scene.dialogue ?? []).forEach((line, lineIndex) => {
			const at = `scenes[${index}].dialogue[${lineIndex}]`;
			if (!line.speaker?.trim()) problems.push(`${at}.speaker is empty`);
			if (!line.text?.trim()) problems.push(`${at}.text is empty`);
			if (line.actionBefore !== undefined && line.actionBefore > paragraphs) {
				problems.push(`${at}.actionBefore is ${line.actionBefore}, but the scene has ${paragraphs} action paragraphs`);
			}
		});
	});
	return problems;
}

export function readCritique(input: unknown): Read<Critique> {
	const { object, problem } = asObject(input, 'critique');
	if (!object) return { problem: problem! };
	if (!('issues' in object)) return { problem: 'issues is missing' };
	if (!Array.isArray(object.issues)) return { problem: 'issues is not a list' };
	const issues: PlanIssue[] = [];
	for (const raw of object.issues as unknown[]) {
		if (!raw || typeof raw !== 'object' || typeof (raw as Json).code !== 'string') {
			return { problem: 'an issue has no code' };
		}
		issues.push(raw as PlanIssue);
	}
	const score = Number(object.score);
	return {
		value: { score: Number.isFinite(score) ? score : 0, issues, critic: text(object.critic, 'rules') },
	};
}
