import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import { textParameter } from './parameters';

/** The run (and scene) an item belongs to; pipeline items carry `runId` and, per scene, `sceneNumber`. */
export interface RunPlace {
	runId?: unknown;
	sceneNumber?: unknown;
}

/** How an operation's standard key is built (a builder from keys.ts) and what the key holds, for messages. */
export type StandardKey =
	| { what: string; run: (runId: string) => string }
	| { what: string; scene: (runId: string, sceneNumber: number) => string };

/** The standard key for a placeholder run (and scene 1), for descriptions: the text follows keys.ts when it changes. */
export function exampleKey(standard: StandardKey): string {
	return 'run' in standard ? standard.run('<runId>') : standard.scene('<runId>', 1);
}

/** The override parameter of a key: empty by default, so the operation writes to the run's standard key. */
export function keyOverrideField(
	field: Pick<INodeProperties, 'displayName' | 'name' | 'displayOptions'>,
	standard: StandardKey,
	example = exampleKey(standard),
): INodeProperties {
	const from = 'scene' in standard ? "the item's runId and sceneNumber" : "the item's runId";
	return {
		...field,
		type: 'string',
		default: '',
		placeholder: example,
		description: `Object key for ${standard.what}, in the bucket of the S3 credential. Leave empty to use the run's standard key, built from ${from} (like ${example}).`,
	};
}

// A run id becomes a folder name: UUIDs and the like, never a path.
const RUN_ID = /^[\w.-]+$/;

/**
 * The key to write to: the override parameter when it is set, else the standard key for the item's run and scene.
 * Errors name the parameter and what to map, e.g. `Scene 2: "Output Key" is empty and the item has no runId …`.
 */
export function resolveKey(
	context: IExecuteFunctions,
	itemIndex: number,
	standard: StandardKey,
	options: { name?: string; label?: string; place?: RunPlace; prefix?: string } = {},
): string {
	const { name = 'outputKey', label = 'Output Key', prefix = '' } = options;
	const fail = (message: string): never => {
		throw new NodeOperationError(context.getNode(), `${prefix}${message}`, { itemIndex });
	};
	const override = textParameter(context, name, itemIndex);
	if (override) {
		// An override expression that met an item without the field it reads.
		if (/(^|\/)(undefined|null|NaN)(\/|$)/.test(override)) {
			fail(`"${label}" resolved to "${override}": the item is missing a field the key is built from. Map that field, or leave "${label}" empty to use the run's standard key.`);
		}
		return override.replace(/^\/+/, '');
	}
	const place = options.place ?? context.getInputData()[itemIndex]?.json ?? {};
	const runId = typeof place.runId === 'string' ? place.runId.trim() : '';
	const needs = 'scene' in standard ? 'runId and sceneNumber' : 'runId';
	if (!runId) {
		fail(`"${label}" is empty and the item has no runId, so there is no standard key for ${standard.what}. Pass items with ${needs} (as the pipeline's items have), or set "${label}".`);
	}
	if (!RUN_ID.test(runId)) {
		fail(`The item's runId "${runId}" cannot name a folder of object keys (letters, digits, "-", "_" and "." only). Map the run's id, or set "${label}".`);
	}
	if ('run' in standard) return standard.run(runId);
	const sceneNumber = Number(place.sceneNumber);
	if (place.sceneNumber === undefined || place.sceneNumber === null || place.sceneNumber === '' || !Number.isInteger(sceneNumber) || sceneNumber < 0) {
		fail(`"${label}" is empty and the item has no sceneNumber (got ${JSON.stringify(place.sceneNumber ?? null)}), so there is no standard key for ${standard.what}. Pass scene items with ${needs}, or set "${label}".`);
	}
	return standard.scene(runId, sceneNumber);
}
