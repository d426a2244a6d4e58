import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { checkClip, type ClipCheck } from '../lib/check';
import { download, inputJson, localName, readNumber, readOptionalRef, refField, withMedia } from './common';

const show = { operation: ['checkClip'] };

export const description: INodeProperties[] = [
	refField(
		'checkClip',
		'input',
		'Input',
		'={{ $json.sceneVideo ?? $json.clip }}',
		'Reference of the clip to check (the scene video with narration, or the raw clip)',
	),
	{
		displayName: 'Expected Duration',
		name: 'expectedDuration',
		type: 'number',
		// eslint-disable-next-line n8n-nodes-base/node-param-default-wrong-for-number -- the validation loop's expected length comes from the scene item (same rule as Video Generation's duration); 0 = no check without a scene
		default:
			'={{ $json.scene ? ($json.narration ? Math.max($json.scene.duration, $json.narration.duration + 0.5) : $json.scene.duration) : 0 }}',
		description: 'Seconds the clip should last; 0 skips the duration check',
		displayOptions: { show },
	},
	{
		displayName: 'Tolerance',
		name: 'tolerance',
		type: 'number',
		default: 0.5,
		typeOptions: { minValue: 0, numberPrecision: 2 },
		description: 'Seconds the duration may differ from the expected duration',
		displayOptions: { show },
	},
	{
		displayName: 'Minimum Mean Volume',
		name: 'minMeanVolume',
		type: 'number',
		default: -60,
		typeOptions: { maxValue: 0 },
		description: 'Mean audio volume in dB below which the clip counts as silent',
		displayOptions: { show },
	},
];

/**
 * The validation loop's check. A bad clip never throws: missing object, missing streams, wrong length and
 * silence come back as `check.ok = false` with problems in plain words, so the workflow can regenerate.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const ref = readOptionalRef.call(this, itemIndex, 'input', 'Input', "the generation step's sceneVideo or clip field");
	const expectedDuration = readNumber.call(this, itemIndex, 'expectedDuration', 'Expected Duration', { min: 0 });
	const tolerance = readNumber.call(this, itemIndex, 'tolerance', 'Tolerance', { min: 0, fallback: 0.5 });
	const minMeanVolume = readNumber.call(this, itemIndex, 'minMeanVolume', 'Minimum Mean Volume', { fallback: -60 });

	let check: ClipCheck;
	if (!ref) {
		check = { ok: false, problems: ['there is no clip to check (the item has no clip reference)'], probe: null };
	} else {
		check = await withMedia(this, async (storage, path) => {
			const bucket = ref.bucket || storage.bucket;
			const stat = await storage.stat({ bucket, key: ref.key });
			if (!stat) {
				return { ok: false, problems: [`clip is missing from storage (key ${ref.key})`], probe: null };
			}
			const file = await download.call(this, itemIndex, storage, ref, path(localName('clip', ref)), 'Input');
			return checkClip(file, { expectedDuration, tolerance, minMeanVolume, known: ref.media });
		});
	}
	return [{ json: { ...inputJson.call(this, itemIndex), check: check as unknown as IDataObject } }];
}
