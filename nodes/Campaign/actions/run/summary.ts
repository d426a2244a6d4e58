import type { IDataObject } from 'n8n-workflow';
import type { RunRecord } from '../../../shared/store/runState';

/** The run without its request (the script may be 200 KB): what pass-through operations add to the item. */
export function runSummary(run: RunRecord): IDataObject {
	const summary = { ...run } as IDataObject;
	delete summary.request;
	delete summary.options;
	return summary;
}
