import { Link } from 'react-router-dom';
import { useSystem } from '../api/queries';
import type { SystemStatus } from '../api/types';
import { ErrorNotice, Loading } from '../components/Feedback';
import { StatusBadge } from '../components/StatusBadge';
import { ago, clock, seconds, STATUS_LABEL } from '../format';
import { useNow } from '../useNow';

type Runs = NonNullable<SystemStatus['runs']>;

const runName = (run: { runId: string; title: string | null }) => run.title || `Run ${run.runId.slice(0, 8)}`;

/** The verdict /api/health gives monitoring, with each problem in words. */
function HealthSummary({ system }: { system: SystemStatus }) {
	const { postgres, storage, redis } = system.checks;
	if (system.status === 'ok') {
		return (
			<div className="notice ok" role="status" data-testid="system-health" data-status="ok">
				<strong>Healthy.</strong> Postgres answered in {postgres.ms} ms, the bucket “{storage.bucket}” in {storage.ms} ms
				{redis ? `, Redis in ${redis.ms} ms` : ''}.
			</div>
		);
	}
	return (
		<div className="notice error" role="alert" data-testid="system-health" data-status="down">
			<strong>Needs attention</strong> (/api/health answers 503):
			<ul className="problems">
				{system.problems.map((problem) => (
					<li key={problem} data-testid="system-problem">
						{problem}
					</li>
				))}
			</ul>
		</div>
	);
}

function Figure({ label, value, testId, tone }: { label: string; value: string | number; testId: string; tone?: 'bad' | 'warn' }) {
	return (
		<div className={`figure${tone ? ` ${tone}` : ''}`}>
			<span className="figure-value" data-testid={testId}>
				{value}
			</span>
			<span className="figure-label">{label}</span>
		</div>
	);
}

/** n8n's mode, and in queue mode its Redis queue and the workers taking jobs from it. */
function N8nQueuePanel({ n8n }: { n8n: SystemStatus['n8n'] }) {
	if (n8n.mode === 'regular' || !n8n.redis) {
		return (
			<section className="card" data-testid="n8n-panel" data-mode="regular">
				<h2>n8n</h2>
				<p data-testid="n8n-mode">
					n8n runs in <strong>regular mode</strong> (no queue): executions run inside the main n8n process, so there are no
					workers or queued jobs to show.
				</p>
				<p className="muted small">
					In queue mode, give the dashboard the Redis n8n uses (REDIS_URL, or QUEUE_BULL_REDIS_HOST / _PORT / _DB, and
					QUEUE_BULL_PREFIX) and this panel shows n8n’s queue and its workers.
				</p>
			</section>
		);
	}
	const { redis, queue, workers } = n8n;
	return (
		<section className="card" data-testid="n8n-panel" data-mode="queue">
			<h2>n8n queue</h2>
			<p className="muted small" data-testid="n8n-mode">
				Queue mode: Bull queue “{redis.queue}” with prefix “{redis.prefix}” in Redis at {redis.address}.
			</p>
			{!redis.ok ? (
				<div className="notice error" role="alert" data-testid="redis-error">
					{redis.error}
				</div>
			) : (
				<>
					<div className="figures">
						<Figure
							label="workers online"
							value={workers ? workers.online : '?'}
							testId="workers-online"
							tone={workers && workers.online === 0 ? 'bad' : undefined}
						/>
						<Figure label={queue?.paused ? 'jobs waiting (queue paused)' : 'jobs waiting'} value={queue?.waiting ?? '—'} testId="queue-waiting" />
						<Figure label="jobs active" value={queue?.active ?? '—'} testId="queue-active" />
						<Figure label="delayed" value={queue?.delayed ?? '—'} testId="queue-delayed" />
						<Figure label="failed" value={queue?.failed ?? '—'} testId="queue-failed" tone={queue?.failed ? 'warn' : undefined} />
					</div>
					{n8n.workersError && <div className="notice warning small">{n8n.workersError}</div>}
					{workers && workers.list.length > 0 && (
						<table className="table compact" data-testid="workers-table">
							<thead>
								<tr>
									<th>Worker connection</th>
									<th className="num">Connected for</th>
									<th className="num">Idle for</th>
								</tr>
							</thead>
							<tbody>
								{workers.list.map((worker) => (
									<tr key={worker.address} data-testid="worker-row">
										<td>{worker.address}</td>
										<td className="num">{seconds(worker.connectedSeconds)}</td>
										<td className="num">{seconds(worker.idleSeconds)}</td>
									</tr>
								))}
							</tbody>
						</table>
					)}
				</>
			)}
		</section>
	);
}

/** How many runs are in each state, the slots in use and the oldest run still waiting for one. */
function RunsByState({ runs }: { runs: Runs }) {
	const oldest = runs.oldestQueued;
	return (
		<section className="card" data-testid="runs-by-state">
			<h2>Runs</h2>
			<div className="figures">
				<Figure
					label={`running of max ${runs.maxRunning} (starting + running)`}
					value={`${runs.running} / ${runs.maxRunning}`}
					testId="running-of-max"
					tone={runs.running > runs.maxRunning ? 'warn' : undefined}
				/>
			</div>
			<table className="table compact">
				<tbody>
					{Object.entries(runs.byStatus).map(([status, count]) => (
						<tr key={status} data-testid="state-row" data-status={status}>
							<td>{STATUS_LABEL[status] ?? status}</td>
							<td className="num" data-testid="state-count">
								{count}
							</td>
						</tr>
					))}
				</tbody>
			</table>
			<p data-testid="oldest-queued">
				{oldest ? (
					<>
						Oldest queued run: <Link to={`/runs/${oldest.runId}`}>{runName(oldest)}</Link>
						{oldest.campaignName ? ` (${oldest.campaignName})` : ''}, waiting for{' '}
						<strong>{seconds(oldest.ageSeconds)}</strong>.
					</>
				) : (
					<span className="muted">No run is queued.</span>
				)}
			</p>
		</section>
	);
}

/** Runs that still hold a slot although the process working on them stopped renewing its lease. */
function ExpiredLeases({ leases }: { leases: Runs['expiredLeases'] }) {
	return (
		<section className="card" data-testid="expired-leases">
			<h2>Leases expired, not yet recovered ({leases.total})</h2>
			<p className="muted small">
				A starting or running run whose process (an n8n worker or main) stopped renewing its lease. The watchdog workflow puts
				it back in the queue; one expired for {seconds(leases.alertAfterSeconds)} or more makes /api/health answer 503.
			</p>
			{leases.runs.length === 0 ? (
				<p className="muted" data-testid="expired-leases-none">
					Every starting or running run has a live lease.
				</p>
			) : (
				<table className="table compact">
					<thead>
						<tr>
							<th>Run</th>
							<th>Status</th>
							<th>Lease owner</th>
							<th className="num">Expired for</th>
							<th className="num">Recovered before</th>
						</tr>
					</thead>
					<tbody>
						{leases.runs.map((lease) => (
							<tr
								key={lease.runId}
								data-testid="expired-lease-row"
								data-run-id={lease.runId}
								className={lease.expiredSeconds >= leases.alertAfterSeconds ? 'stuck' : undefined}
							>
								<td>
									<Link to={`/runs/${lease.runId}`}>{runName(lease)}</Link>
									{lease.campaignName && <div className="muted small">{lease.campaignName}</div>}
								</td>
								<td>
									<StatusBadge status={lease.status} />
								</td>
								<td className="small">{lease.leaseOwner ?? '—'}</td>
								<td className="num">{seconds(lease.expiredSeconds)}</td>
								<td className="num">{lease.recoveries}×</td>
							</tr>
						))}
					</tbody>
				</table>
			)}
		</section>
	);
}

/** What the watchdog did: each recovery event, newest first, and where the run is now. */
function Recoveries({ recoveries, now }: { recoveries: Runs['recoveries']; now: number }) {
	return (
		<section className="card" data-testid="recoveries">
			<h2>Recovered by the watchdog ({recoveries.total})</h2>
			{recoveries.recent.length === 0 ? (
				<p className="muted" data-testid="recoveries-none">
					No run has been recovered after an expired lease.
				</p>
			) : (
				<table className="table compact">
					<thead>
						<tr>
							<th>When</th>
							<th>Run</th>
							<th>What was done</th>
							<th>Lease owner</th>
							<th>Status now</th>
						</tr>
					</thead>
					<tbody>
						{recoveries.recent.map((recovery) => (
							<tr key={recovery.eventId} data-testid="recovery-row" data-run-id={recovery.runId}>
								<td title={recovery.at}>
									{clock(recovery.at)}
									<div className="muted small">{ago(recovery.at, now)}</div>
								</td>
								<td>
									<Link to={`/runs/${recovery.runId}`}>{runName(recovery)}</Link>
									{recovery.campaignName && <div className="muted small">{recovery.campaignName}</div>}
								</td>
								<td data-testid="recovery-message">
									{recovery.message ?? 'Put back in the queue.'}
									{recovery.previousStatus && (
										<div className="muted small">
											was {STATUS_LABEL[recovery.previousStatus] ?? recovery.previousStatus}
											{recovery.leaseExpiredAt ? `, lease expired ${clock(recovery.leaseExpiredAt)}` : ''}
										</div>
									)}
								</td>
								<td className="small">{recovery.leaseOwner ?? '—'}</td>
								<td>
									<StatusBadge status={recovery.statusNow} testId="recovery-status-now" />
									{recovery.recoveries > 1 && <div className="muted small">recovered {recovery.recoveries}×</div>}
								</td>
							</tr>
						))}
					</tbody>
				</table>
			)}
		</section>
	);
}

/** For operators: is n8n working through the runs, and is anything stuck? Refreshes every 5 s and on live changes. */
export function SystemPage() {
	const system = useSystem();
	const now = useNow(5_000);

	if (system.isPending) return <Loading what="the system status" />;
	if (system.error && !system.data) return <ErrorNotice error={system.error} what="the system status" onRetry={() => void system.refetch()} />;
	const data = system.data;

	return (
		<section data-testid="system-page">
			<div className="page-head">
				<h1>System</h1>
				<span className="muted small" data-testid="system-checked-at">
					checked {clock(data.checkedAt)} · refreshes every 5 s
				</span>
			</div>
			{system.error && <ErrorNotice error={system.error} what="the latest figures" onRetry={() => void system.refetch()} />}
			<HealthSummary system={data} />
			<div className="two-columns">
				<N8nQueuePanel n8n={data.n8n} />
				{data.runs ? <RunsByState runs={data.runs} /> : <section className="card muted">Runs cannot be read while Postgres is down.</section>}
			</div>
			{data.runs && (
				<>
					<ExpiredLeases leases={data.runs.expiredLeases} />
					<Recoveries recoveries={data.runs.recoveries} now={now} />
				</>
			)}
		</section>
	);
}
