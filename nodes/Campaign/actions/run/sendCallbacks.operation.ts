import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { sendDueCallbacks } from '../../../shared/callbacks/send';
import { callbackSettings } from '../../../shared/callbacks/settings';
import { getStorage } from '../../../shared/storageNode';
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
	const [db, storage] = [await getDb.call(this), await getStorage.call(this)];
	const sent = await sendDueCallbacks({
		db,
		settings,
		presign: (key, seconds) => storage.presignedGetUrl({ bucket: storage.bucket, key }, seconds),
	});
	return [{ json: { sent: sent.length, delivered: sent.filter((s) => s.delivered).length, deliveries: sent } }];
}
