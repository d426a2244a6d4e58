import type { PlanVersion } from '../api/types';
import { clock } from '../format';

const SOURCE: Record<string, string> = {
	parse: 'parsed from the script',
	refine: 'refined by rules',
	claude: 'written by Claude',
	manual: 'edited',
};

/** Each plan version with its score, the change in score from its parent, and what the refiner changed. */
export function PlanVersions({ versions }: { versions: PlanVersion[] }) {
	if (!versions.length) return <p className="muted">No plan yet: planning writes version 1.</p>;
	const byVersion = new Map(versions.map((v) => [v.version, v]));
	const severalTakes = versions.some((v) => v.take > 1);
	return (
		<ol className="versions" data-testid="plan-versions">
			{versions.map((version) => {
				const parent = version.parentVersion ? byVersion.get(version.parentVersion) : undefined;
				const delta = parent && parent.score !== null && version.score !== null ? version.score - parent.score : null;
				const issues = version.critique?.issues ?? [];
				return (
					<li key={version.version} data-testid="plan-version">
						<div className="version-head">
							<strong>v{version.version}</strong>
							{severalTakes && (
								<span data-testid="plan-version-take">
									take {version.take}
									{version.chosen ? ' (made)' : ''}
								</span>
							)}
							<span className="score" title="Critic score, 0–100">
								score {version.score ?? '—'}
								{delta !== null && delta !== 0 && (
									<span className={delta > 0 ? 'up' : 'down'}>{delta > 0 ? ` +${delta}` : ` ${delta}`}</span>
								)}
							</span>
							<span className="muted">
								{SOURCE[version.source ?? ''] ?? version.source}
								{parent ? ` from v${parent.version}` : ''} · {clock(version.createdAt)}
							</span>
						</div>
						{version.changes && version.changes.length > 0 && (
							<ul className="changes">
								{version.changes.map((change, i) => (
									<li key={i}>{change}</li>
								))}
							</ul>
						)}
						{issues.length > 0 && (
							<details>
								<summary>
									{issues.length} issue{issues.length === 1 ? '' : 's'} the critic found
								</summary>
								<ul>
									{issues.map((issue, i) => (
										<li key={i}>
											{issue.message}
											{issue.penalty ? <span className="muted"> (−{issue.penalty})</span> : null}
										</li>
									))}
								</ul>
							</details>
						)}
					</li>
				);
			})}
		</ol>
	);
}
