import type { RunSummary } from '../api/types';

/** Stage plus scenes done / total, as a bar. Completed runs are 100 %. */
export function ProgressBar({ run, testId = 'run-progress' }: { run: RunSummary; testId?: string }) {
	const fraction = run.status === 'completed' ? 1 : Math.min(1, Math.max(0, Number(run.progress) || 0));
	const pct = Math.round(fraction * 100);
	const scenes = run.scenesTotal ? `${run.scenesDone}/${run.scenesTotal} scenes` : 'no scenes yet';
	const label = run.status === 'completed' ? `done · ${scenes}` : `${run.stage ?? run.status.replace('_', ' ')} · ${scenes}`;
	return (
		<div className="progress" data-testid={testId}>
			<div
				className={`progress-track status-${run.status}`}
				role="progressbar"
				aria-valuemin={0}
				aria-valuemax={100}
				aria-valuenow={pct}
				aria-label={`Progress of ${run.title ?? 'run'}`}
			>
				<div className="progress-fill" style={{ width: `${pct}%` }} />
			</div>
			<span className="progress-label">
				<span data-testid={`${testId}-percent`}>{pct} %</span> · {label}
			</span>
		</div>
	);
}
