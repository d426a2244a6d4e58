import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../shared/description';
import { operations } from './actions/router';

/** The Campaign node's parameters: resource, the operation of each resource, then each operation's own fields. */
export const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Artifact', value: 'artifact' },
			{ name: 'Batch', value: 'batch' },
			{ name: 'Event', value: 'event' },
			{ name: 'Plan Version', value: 'planVersion' },
			{ name: 'Run', value: 'run' },
			{ name: 'Scene', value: 'scene' },
			{ name: 'Webhook Request', value: 'webhookRequest' },
		],
		default: 'run',
	},
	operationField(
		[
			{
				name: 'Accept',
				value: 'accept',
				action: 'Accept a run request',
				description: 'Check a webhook request and queue its run (outputs: Accepted, Rejected)',
			},
			{
				name: 'Approval Result',
				value: 'approvalResult',
				action: 'Read the storyboard decision',
				description: 'After the Wait node: go on when approved, stop when rejected or cancelled (outputs: Approved, Stopped, Still Waiting)',
			},
			{
				name: 'Await Approval',
				value: 'awaitApproval',
				action: 'Wait for storyboard approval',
				description:
					"Mark a run that asked for approval as waiting, with the Wait node's resume URL (outputs: Wait for Approval, No Approval Needed)",
			},
			{
				name: 'Choose Providers',
				value: 'chooseProviders',
				action: 'Choose the providers of a run',
				description: 'Resolve planner, video and speech orders from the request and the configured keys',
			},
			{ name: 'Complete', value: 'complete', action: 'Complete a run', description: 'Mark a run completed with its final video' },
			{
				name: 'Dispatch',
				value: 'dispatch',
				action: 'Dispatch queued runs',
				description: 'Claim queued runs for free slots, by priority then arrival',
			},
			{
				name: 'Draw Storyboard',
				value: 'drawStoryboard',
				action: 'Draw the storyboard stills of a run',
				description:
					'For a run waiting to be approved: one still per scene of each take, by the local renderer, for the approval screen. A still that cannot be drawn is recorded; the run goes on.',
			},
			{
				name: 'Estimate',
				value: 'estimate',
				action: 'Estimate the cost of a run',
				description: 'Price the plan before generation and stop a run that would pass its budget (outputs: Within Budget, Over Budget)',
			},
			{ name: 'Fail', value: 'fail', action: 'Fail a run', description: 'Mark a run failed with a readable message' },
			{ name: 'Get', value: 'get', action: 'Get a run', description: 'Everything about a run: scenes, plan versions, events, assets' },
			{
				name: 'Recover Stalled Runs',
				value: 'recover',
				action: 'Recover runs whose process died',
				description: 'Put starting or running runs whose lease expired (their n8n process died) back in the queue',
			},
			{
				name: 'Resume',
				value: 'resume',
				action: 'Resume a run',
				description: 'Queue a failed or interrupted run again (outputs: Resumed, Rejected)',
			},
			{
				name: 'Send Callbacks',
				value: 'sendCallbacks',
				action: 'Send due callbacks',
				description: 'POST the signed events of ended runs and finished stages to their callback URLs, with retries',
			},
			{ name: 'Set Stage', value: 'setStage', action: 'Set the stage of a run', description: 'Record which stage a run is in' },
			{
				name: 'Start',
				value: 'start',
				action: 'Start a run',
				description: 'Mark a run running, take its lease, and get its request, options, plan and completed scenes',
			},
			{
				name: 'Start Pipeline',
				value: 'startPipeline',
				action: 'Hand a claimed run to the pipeline',
				description: "Call the Pipeline workflow's webhook, so the run is an execution of its own (a queued job in queue mode)",
			},
		],
		'get',
		'run',
	),
	operationField(
		[
			{ name: 'List', value: 'list', action: 'List scenes', description: 'Completed scenes as assembly input, or one item per scene' },
			{ name: 'Prepare', value: 'prepare', action: 'Prepare scenes', description: "Create the plan's scene rows; one item per scene still to make" },
			{
				name: 'Record Frame Check',
				value: 'recordFrameCheck',
				action: 'Record a frame check',
				description: "Keep Claude's frame check as an event; a frame that does not match fails the scene's check, with the reasons for the next try",
			},
			{ name: 'Update', value: 'update', action: 'Update a scene', description: 'Record status, keys, duration and narration of a scene' },
		],
		'prepare',
		'scene',
	),
	operationField(
		[
			{
				name: 'Choose Take',
				value: 'chooseTake',
				action: 'Choose the take to make',
				description: 'Mark the best-scored take (or a given one) as the plan the run goes on with',
			},
			{ name: 'Record', value: 'record', action: 'Record a plan version', description: 'Store a plan with its critique, score and take' },
		],
		'record',
		'planVersion',
	),
	operationField(
		[{ name: 'Record', value: 'record', action: 'Record a step event', description: 'Record started/finished/failed of a step, with timing' }],
		'record',
		'event',
	),
	operationField(
		[
			{ name: 'Download', value: 'download', action: 'Download an artifact', description: 'Get a file from object storage as a link or binary data' },
			{ name: 'Upload', value: 'upload', action: 'Upload an artifact', description: 'Store binary data in object storage for a run' },
		],
		'upload',
		'artifact',
	),
	operationField(
		[
			{
				name: 'Create Batch',
				value: 'create',
				action: 'Create a batch of runs',
				description: 'Check a list of scripts (JSON or CSV) row by row and queue the good rows as one batch (outputs: Accepted, Rejected)',
			},
		],
		'create',
		'batch',
	),
	operationField(
		[
			{
				name: 'Check',
				value: 'check',
				action: 'Check a webhook request',
				description: "Check a webhook call's token and read its JSON body, for webhooks another node answers (outputs: Accepted, Rejected)",
			},
		],
		'check',
		'webhookRequest',
	),
	...Object.values(operations).flatMap((byOperation) => Object.values(byOperation).flatMap((op) => op.description)),
];
