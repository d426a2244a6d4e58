import {
	NodeConnectionTypes,
	type ICredentialTestFunctions,
	type ICredentialsDecrypted,
	type IExecuteFunctions,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { testS3Credential } from '../shared/storageNode';
import { operations, router } from './actions/router';
import { configuredOutputs } from './outputs';
import { checkConnection, toPostgresCredentials } from './transport/db';
import { testKlingCredential } from '../VideoGeneration/providers/kling';

const operationField = (resource: string, options: { name: string; value: string; action: string; description: string }[], def: string) => ({
	displayName: 'Operation',
	name: 'operation',
	type: 'options' as const,
	noDataExpression: true,
	displayOptions: { show: { resource: [resource] } },
	options,
	default: def,
});

export class Campaign implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Campaign',
		name: 'campaign',
		icon: { light: 'file:campaign.svg', dark: 'file:campaign.dark.svg' },
		group: ['transform'],
		version: 1,
		usableAsTool: true,
		subtitle: '={{ $parameter["resource"] + ": " + $parameter["operation"] }}',
		description: 'The Reelsmith store: runs and their queue, scenes, plan versions, step events and artifacts',
		defaults: { name: 'Campaign' },
		inputs: [NodeConnectionTypes.Main],
		// Accept and Resume have Accepted/Resumed + Rejected outputs, the rest one; see outputs.ts.
		outputs: `={{(${configuredOutputs})($parameter)}}`,
		credentials: [
			{ name: 'reelsmithPostgresApi', required: true, testedBy: 'reelsmithPostgresApiTest' },
			{ name: 'reelsmithS3Api', required: true, testedBy: 'reelsmithS3ApiTest' },
			{
				name: 'reelsmithWebhookApi',
				required: true,
				testedBy: 'reelsmithWebhookApiTest',
				displayOptions: { show: { resource: ['run'], operation: ['accept', 'resume'] } },
			},
			// Choose Providers reads every paid credential it is given: attached with a key = configured
			// (lib/providers.ts, data/providers.json).
			{ name: 'reelsmithAnthropicApi', required: false, displayOptions: { show: { resource: ['run'], operation: ['chooseProviders'] } } },
			{ name: 'reelsmithKlingApi', required: false, testedBy: 'reelsmithKlingApiTest', displayOptions: { show: { resource: ['run'], operation: ['chooseProviders'] } } },
			{ name: 'reelsmithRunwayApi', required: false, displayOptions: { show: { resource: ['run'], operation: ['chooseProviders'] } } },
			{ name: 'reelsmithElevenLabsApi', required: false, displayOptions: { show: { resource: ['run'], operation: ['chooseProviders'] } } },
			{ name: 'reelsmithGoogleTtsApi', required: false, displayOptions: { show: { resource: ['run'], operation: ['chooseProviders'] } } },
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Artifact', value: 'artifact' },
					{ name: 'Event', value: 'event' },
					{ name: 'Plan Version', value: 'planVersion' },
					{ name: 'Run', value: 'run' },
					{ name: 'Scene', value: 'scene' },
				],
				default: 'run',
			},
			operationField(
				'run',
				[
					{ name: 'Accept', value: 'accept', action: 'Accept a run request', description: 'Check a webhook request and queue its run (outputs: Accepted, Rejected)' },
					{ name: 'Approval Result', value: 'approvalResult', action: 'Read the storyboard decision', description: 'After the Wait node: go on when approved, stop when rejected or cancelled (outputs: Approved, Stopped, Still Waiting)' },
					{ name: 'Await Approval', value: 'awaitApproval', action: 'Wait for storyboard approval', description: 'Mark a run that asked for approval as waiting, with the Wait node\'s resume URL (outputs: Wait for Approval, No Approval Needed)' },
					{ name: 'Choose Providers', value: 'chooseProviders', action: 'Choose the providers of a run', description: 'Resolve planner, video and speech orders from the request and the configured keys' },
					{ name: 'Complete', value: 'complete', action: 'Complete a run', description: 'Mark a run completed with its final video' },
					{ name: 'Dispatch', value: 'dispatch', action: 'Dispatch queued runs', description: 'Claim queued runs for free slots, by priority then arrival' },
					{ name: 'Estimate', value: 'estimate', action: 'Estimate the cost of a run', description: 'Price the plan before generation and stop a run that would pass its budget (outputs: Within Budget, Over Budget)' },
					{ name: 'Fail', value: 'fail', action: 'Fail a run', description: 'Mark a run failed with a readable message' },
					{ name: 'Get', value: 'get', action: 'Get a run', description: 'Everything about a run: scenes, plan versions, events, assets' },
					{ name: 'Resume', value: 'resume', action: 'Resume a run', description: 'Queue a failed or interrupted run again (outputs: Resumed, Rejected)' },
					{ name: 'Set Stage', value: 'setStage', action: 'Set the stage of a run', description: 'Record which stage a run is in' },
					{ name: 'Start', value: 'start', action: 'Start a run', description: 'Mark a run running and get its request, options, plan and completed scenes' },
				],
				'get',
			),
			operationField(
				'scene',
				[
					{ name: 'List', value: 'list', action: 'List scenes', description: 'Completed scenes as assembly input, or one item per scene' },
					{ name: 'Prepare', value: 'prepare', action: 'Prepare scenes', description: "Create the plan's scene rows; one item per scene still to make" },
					{ name: 'Record Frame Check', value: 'recordFrameCheck', action: 'Record a frame check', description: "Keep Claude's frame check as an event; a frame that does not match fails the scene's check, with the reasons for the next try" },
					{ name: 'Update', value: 'update', action: 'Update a scene', description: 'Record status, keys, duration and narration of a scene' },
				],
				'prepare',
			),
			operationField(
				'planVersion',
				[{ name: 'Record', value: 'record', action: 'Record a plan version', description: 'Store a plan with its critique and score' }],
				'record',
			),
			operationField(
				'event',
				[{ name: 'Record', value: 'record', action: 'Record a step event', description: 'Record started/finished/failed of a step, with timing' }],
				'record',
			),
			operationField(
				'artifact',
				[
					{ name: 'Download', value: 'download', action: 'Download an artifact', description: 'Get a file from object storage as a link or binary data' },
					{ name: 'Upload', value: 'upload', action: 'Upload an artifact', description: 'Store binary data in object storage for a run' },
				],
				'upload',
			),
			...Object.values(operations).flatMap((byOperation) => Object.values(byOperation).flatMap((op) => op.description)),
		],
	};

	methods = {
		credentialTest: {
			async reelsmithPostgresApiTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const result = await checkConnection(toPostgresCredentials(credential.data ?? {}));
				return { status: result.ok ? 'OK' : 'Error', message: result.message };
			},
			reelsmithS3ApiTest: testS3Credential,
			// Kling signs a JWT, so its test is code (shared with Video Generation), not a declarative request.
			reelsmithKlingApiTest: testKlingCredential,
			// Nothing to connect to: the test checks the token is one worth having.
			async reelsmithWebhookApiTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const token = String(credential.data?.token ?? '');
				if (token.length < 16) {
					return {
						status: 'Error',
						message: `The token is ${token.length ? 'too short' : 'empty'}: use at least 16 random characters (e.g. openssl rand -hex 32).`,
					};
				}
				if (!/^[\x21-\x7e]+$/.test(token)) {
					return { status: 'Error', message: 'The token must be printable ASCII without spaces (HTTP headers cannot carry other characters).' };
				}
				return { status: 'OK', message: 'Token is set' };
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
