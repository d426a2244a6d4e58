import type { IDataObject } from 'n8n-workflow';
import type { Run } from '../../store/runs';

/** The run without its request (the script may be 200 KB): what pass-through operations add to the item. */
export function runSummary(run: Run): IDataObject {
	const summary: IDataObject = { ...run };
	delete summary.request;
	delete summary.options;
	return summary;
}
