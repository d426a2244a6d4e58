import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { runOperations, type OperationHandler } from '../../shared/router';
import { configuredOutputs } from '../outputs';
import * as artifactDownload from './artifact/download.operation';
import * as artifactUpload from './artifact/upload.operation';
import * as batchCreate from './batch/create.operation';
import * as eventRecord from './event/record.operation';
import * as planVersionChooseTake from './planVersion/chooseTake.operation';
import * as planVersionRecord from './planVersion/record.operation';
import * as runAccept from './run/accept.operation';
import * as runApprovalResult from './run/approvalResult.operation';
import * as runAwaitApproval from './run/awaitApproval.operation';
import * as runChooseProviders from './run/chooseProviders.operation';
import * as runComplete from './run/complete.operation';
import * as runDispatch from './run/dispatch.operation';
import * as runDrawStoryboard from './run/drawStoryboard.operation';
import * as runEstimate from './run/estimate.operation';
import * as runFail from './run/fail.operation';
import * as runGet from './run/get.operation';
import * as runRecover from './run/recover.operation';
import * as runResume from './run/resume.operation';
import * as runSendCallbacks from './run/sendCallbacks.operation';
import * as runSetStage from './run/setStage.operation';
import * as runStart from './run/start.operation';
import * as runStartPipeline from './run/startPipeline.operation';
import * as sceneList from './scene/list.operation';
import * as scenePrepare from './scene/prepare.operation';
import * as sceneRecordFrameCheck from './scene/recordFrameCheck.operation';
import * as sceneUpdate from './scene/update.operation';
import * as webhookRequestCheck from './webhookRequest/check.operation';

interface Operation {
	description: typeof runGet.description;
	execute: OperationHandler;
}

/** Resource → operation value → its module. Adding an operation = one file and one line here. */
export const operations: Record<string, Record<string, Operation>> = {
	run: {
		accept: runAccept,
		approvalResult: runApprovalResult,
		awaitApproval: runAwaitApproval,
		chooseProviders: runChooseProviders,
		complete: runComplete,
		dispatch: runDispatch,
		drawStoryboard: runDrawStoryboard,
		estimate: runEstimate,
		fail: runFail,
		get: runGet,
		recover: runRecover,
		resume: runResume,
		sendCallbacks: runSendCallbacks,
		setStage: runSetStage,
		start: runStart,
		startPipeline: runStartPipeline,
	},
	scene: { list: sceneList, prepare: scenePrepare, recordFrameCheck: sceneRecordFrameCheck, update: sceneUpdate },
	planVersion: { chooseTake: planVersionChooseTake, record: planVersionRecord },
	event: { record: eventRecord },
	artifact: { download: artifactDownload, upload: artifactUpload },
	batch: { create: batchCreate },
	webhookRequest: { check: webhookRequestCheck },
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	// Resource and operation are fixed per node, so item 0 decides for all items.
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const forResource = operations[resource];
	if (!forResource) {
		throw new NodeOperationError(this.getNode(), `The resource "${resource}" is not supported by the Campaign node`);
	}
	const handlers = Object.fromEntries(Object.entries(forResource).map(([name, op]) => [name, op.execute]));
	const outputCount = configuredOutputs({ resource, operation }).length;
	return runOperations.call(this, handlers, outputCount);
}
