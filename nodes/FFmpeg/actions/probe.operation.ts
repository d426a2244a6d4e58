import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { probeMedia } from '../lib/probe';
import { download, inputJson, localName, readRef, refField, withMedia } from './common';

export const description: INodeProperties[] = [
	refField(
		'probe',
		'input',
		'Input',
		'={{ $json.clip }}',
		'Reference of the media file to inspect, like {"bucket": "reelsmith", "key": "…/clip.mp4"}',
	),
];

/** Streams, duration, codecs, loudness and faststart of one stored media file. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const ref = readRef.call(this, itemIndex, 'input', 'Input', "the previous node's clip field");
	const probe = await withMedia(this, async (storage, path) => {
		const file = await download.call(this, itemIndex, storage, ref, path(localName('input', ref)), 'Input');
		return probeMedia(file);
	});
	return [{ json: { ...inputJson.call(this, itemIndex), probe: probe as unknown as IDataObject } }];
}
