import { Link } from 'react-router-dom';
import type { RunSummary } from '../api/types';
import { runProblem } from '../explain';
import { ago, seconds, usd } from '../format';
import { ProgressBar } from './ProgressBar';
import { StatusBadge } from './StatusBadge';

function CostVsEstimate({ run }: { run: RunSummary }) {
	const over = run.estimateUsd !== null && run.costUsd !== null && Number(run.costUsd) > Number(run.estimateUsd) * 1.1;
	return (
		<span className={over ? 'over' : undefined} title={over ? 'More than 10 % over the estimate' : undefined}>
			{usd(run.costUsd)} <span className="muted">/ {usd(run.estimateUsd)}</span>
		</span>
	);
}

export function RunsTable({ runs, now }: { runs: RunSummary[]; now: number }) {
	return (
		<table className="table" data-testid="runs-table">
			<thead>
				<tr>
					<th>Run</th>
					<th>Status</th>
					<th className="wide">Progress</th>
					<th className="num">Queue</th>
					<th className="num">Duration</th>
					<th className="num">Cost / estimate</th>
					<th>Started</th>
				</tr>
			</thead>
			<tbody>
				{runs.map((run) => {
					const problem = runProblem(run, now);
					return (
						<tr key={run.id} data-testid="run-row" data-run-id={run.id} data-status={run.status}>
							<td>
								<Link to={`/runs/${run.id}`} data-testid="run-link">
									{run.title || `Run ${run.id.slice(0, 8)}`}
								</Link>
								{problem && (
									<div className={`row-note ${problem.tone}`} data-testid="run-row-problem">
										{problem.title}: {problem.message}
									</div>
								)}
							</td>
							<td>
								<StatusBadge status={run.status} testId="run-status" />
							</td>
							<td>
								<ProgressBar run={run} />
							</td>
							<td className="num">
								{run.status === 'queued' && run.queuePosition !== null ? (run.queuePosition === 0 ? 'next' : `#${run.queuePosition}`) : '—'}
							</td>
							<td className="num">{seconds(run.durationS)}</td>
							<td className="num">
								<CostVsEstimate run={run} />
							</td>
							<td>{ago(run.startedAt ?? run.createdAt, now)}</td>
						</tr>
					);
				})}
				{runs.length === 0 && (
					<tr>
						<td colSpan={7} className="empty">
							No runs yet. Start one with the form above.
						</td>
					</tr>
				)}
			</tbody>
		</table>
	);
}
