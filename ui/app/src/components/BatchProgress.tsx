import type { BatchLine } from '../api/types';

/** A batch's runs by state, as counts and one bar: done and failed runs fill it. */
export function BatchProgress({ batch, testId = 'batch-progress' }: { batch: BatchLine; testId?: string }) {
	const ended = batch.done + batch.failed + batch.cancelled;
	const pct = batch.runs ? Math.round((ended / batch.runs) * 100) : 0;
	return (
		<div className="progress" data-testid={testId}>
			<div className="progress-track" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label="Progress of the batch">
				<div className="progress-fill" style={{ width: `${pct}%` }} />
			</div>
			<span className="progress-label" data-testid={`${testId}-counts`}>
				{batch.done} done · {batch.failed} failed · {batch.queued} queued · {batch.running} running
				{batch.cancelled ? ` · ${batch.cancelled} cancelled` : ''} of {batch.runs}
			</span>
		</div>
	);
}
