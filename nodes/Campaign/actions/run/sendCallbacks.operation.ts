import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { sendDueCallbacks } from '../../../shared/callbacks/send';
import { callbackSettings } from '../../../shared/callbacks/settings';
import { toS3Credentials } from '../../../shared/storageNode';
import { storageFor } from '../../../shared/transport/storage';
import { getDb } from '../common';

export const description: INodeProperties[] = [];

/**
 * The watchdog's and the pipeline's last step: sends every callback that is due (a run ended, a stage finished, a
 * retry's time came), signed with its campaign's secret, and schedules retries. One item always: what was sent.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	let settings;
	try {
		settings = callbackSettings();
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex: 0 });
	}
	const db = await getDb.call(this);
	const credentials = toS3Credentials(await this.getCredentials('reelsmithS3Api'));
	// The receiver downloads the video from outside: sign for the store's public address when n8n reaches it at
	// another (docker compose: http://minio:9000 inside, S3_PUBLIC_ENDPOINT outside), as the dashboard does.
	const publicEndpoint = process.env.S3_PUBLIC_ENDPOINT?.trim();
	const presigner = storageFor(publicEndpoint ? { ...credentials, endpoint: publicEndpoint } : credentials);
	const sent = await sendDueCallbacks({
		db,
		settings,
		presign: (key, seconds) => presigner.presignedGetUrl({ bucket: presigner.bucket, key }, seconds),
	});
	return [{ json: { sent: sent.length, delivered: sent.filter((s) => s.delivered).length, deliveries: sent } }];
}
