/* eslint-disable n8n-nodes-base/node-filename-against-convention -- the product is spelled FFmpeg (spec: nodes/FFmpeg/FFmpeg.node.ts); the node type name stays `ffmpeg` for workflow JSON */
import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { testS3Credential } from '../shared/storageNode';
import { router } from './actions/router';
import { properties } from './description';

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
		properties,
	};

	methods = {
		credentialTest: { reelsmithS3ApiTest: testS3Credential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
