import { useState, type ChangeEvent } from 'react';
import { Link } from 'react-router-dom';
import { ApiError, errorMessage } from '../api/client';
import { useUploadBatch } from '../api/queries';
import type { BatchUploadAnswer, RowProblem } from '../api/types';
import { RowProblems } from './RowProblems';

/**
 * Upload many scripts at once: a CSV (a header row of run request fields, e.g. title,script,preset,priority) or a
 * JSON file (a list of run requests, or {"defaults", "rows"}). Every row is checked on its own by the pipeline; the
 * answer names the rows it refused, by number and field.
 */
export function BatchUpload({ campaignId }: { campaignId: string }) {
	const upload = useUploadBatch(campaignId);
	const [answer, setAnswer] = useState<BatchUploadAnswer | null>(null);
	const [problems, setProblems] = useState<RowProblem[]>([]);
	const [readError, setReadError] = useState<string | null>(null);

	const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
		const file = event.target.files?.[0];
		event.target.value = '';
		if (!file) return;
		setAnswer(null);
		setProblems([]);
		setReadError(null);
		const text = await file.text();
		let body: Record<string, unknown> = { csv: text };
		if (/\.json$/i.test(file.name) || /^\s*[[{]/.test(text)) {
			try {
				const value = JSON.parse(text) as unknown;
				body = Array.isArray(value) ? { rows: value } : (value as Record<string, unknown>);
			} catch (error) {
				setReadError(`${file.name} is not valid JSON (${(error as Error).message}). Save it as JSON, or as CSV with a header row.`);
				return;
			}
		}
		upload.mutate(body, {
			onSuccess: (result) => {
				setAnswer(result);
				setProblems(result.rejected);
			},
			onError: (error) => {
				const rows = error instanceof ApiError ? (error.body as { rejected?: RowProblem[] } | undefined)?.rejected : undefined;
				setProblems(rows ?? []);
			},
		});
	};

	return (
		<div className="card" data-testid="batch-upload">
			<label>
				Upload a batch (CSV or JSON, at most 100 rows and 2 MB)
				<input type="file" accept=".csv,.json,text/csv,application/json" onChange={(e) => void onFile(e)} data-testid="batch-file" />
			</label>
			<p className="muted small">
				Columns are run request fields: <code>title</code>, <code>script</code> (or <code>body</code>), <code>preset</code>, <code>style</code>,{' '}
				<code>voiceMap</code>, <code>priority</code>, … (empty cells take the defaults).
			</p>
			{upload.isPending && <p className="notice info">Checking the rows…</p>}
			{readError && (
				<p className="notice error" role="alert">
					{readError}
				</p>
			)}
			{upload.error && !answer && (
				<p className="notice error" role="alert" data-testid="batch-upload-error">
					{errorMessage(upload.error)}
				</p>
			)}
			{answer && (
				<p className="notice ok" data-testid="batch-upload-result">
					{answer.queued} of {answer.rows} rows queued as a batch. <Link to={`/batches/${answer.batchId}`}>Open the batch</Link>
				</p>
			)}
			<RowProblems problems={problems} />
		</div>
	);
}
