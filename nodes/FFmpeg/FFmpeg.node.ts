/* eslint-disable n8n-nodes-base/node-filename-against-convention -- the product is spelled FFmpeg (spec: nodes/FFmpeg/FFmpeg.node.ts); the node type name stays `ffmpeg` for workflow JSON */
import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { testS3Credential } from '../shared/storageNode';
import { operations, router } from './actions/router';

/** Media operations on stored files: every operation downloads its inputs, runs ffmpeg, uploads the result. */
export class FFmpeg implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'FFmpeg',
		name: 'ffmpeg',
		icon: { light: 'file:ffmpeg.svg', dark: 'file:ffmpeg.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description: 'Probe, check, mux, join, subtitle, normalise and export videos stored in S3 with ffmpeg',
		defaults: { name: 'FFmpeg' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [{ name: 'reelsmithS3Api', required: true, testedBy: 'reelsmithS3ApiTest' }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Check Clip',
						value: 'checkClip',
						description: 'Check a clip exists, has video and audio, the right length and audible sound',
						action: 'Check a clip',
					},
					{
						name: 'Concatenate',
						value: 'concat',
						description: 'Join clips in order, by stream copy when they match, optionally with crossfades',
						action: 'Concatenate clips',
					},
					{
						name: 'Export',
						value: 'export',
						description: 'Deliver in a preset (YouTube, Shorts, square): H.264 + AAC with faststart',
						action: 'Export a video',
					},
					{
						name: 'Mux Narration',
						value: 'mux',
						description: 'Put a narration track on a clip, padded or cut to the clip length',
						action: 'Mux narration onto a clip',
					},
					{
						name: 'Normalize Loudness',
						value: 'loudness',
						description: 'Two-pass loudness normalisation of the audio (default −14 LUFS)',
						action: 'Normalize loudness',
					},
					{
						name: 'Probe',
						value: 'probe',
						description: 'Streams, duration, codecs, loudness and faststart of a media file',
						action: 'Probe a media file',
					},
					{
						name: 'Subtitles',
						value: 'subtitles',
						description: 'Build an SRT from cues and attach it as a track or burn it in',
						action: 'Add subtitles',
					},
					{
						name: 'Thumbnail',
						value: 'thumbnail',
						description: 'Take one frame as a JPEG',
						action: 'Make a thumbnail',
					},
					{
						name: 'Watermark',
						value: 'watermark',
						description: 'Place a text or image mark in a corner',
						action: 'Watermark a video',
					},
				],
				default: 'probe',
			},
			...Object.values(operations).flatMap((op) => op.description),
		],
	};

	methods = {
		credentialTest: { reelsmithS3ApiTest: testS3Credential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
