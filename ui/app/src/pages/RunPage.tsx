import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useRun, useRunAction } from '../api/queries';
import type { RunDetail } from '../api/types';
import { AiCalls } from '../components/AiCalls';
import { ApprovalPanel } from '../components/ApprovalPanel';
import { CallbackAttempts } from '../components/CallbackAttempts';
import { ActionResult, ErrorNotice, Loading, ProblemNotice } from '../components/Feedback';
import { PlanVersions } from '../components/PlanVersions';
import { RunCastPanel } from '../components/RunCastPanel';
import { ProgressBar } from '../components/ProgressBar';
import { SceneGrid } from '../components/SceneGrid';
import { StatusBadge } from '../components/StatusBadge';
import { Timeline } from '../components/Timeline';
import { TrailerPanel } from '../components/TrailerPanel';
import { runProblem } from '../explain';
import { ACTIVE, ago, seconds, usd } from '../format';
import { useNow } from '../useNow';

const download = (url: string) => `${url}${url.includes('?') ? '&' : '?'}download=1`;

const STALE_MS = 10 * 60_000;

function Actions({ detail, now }: { detail: RunDetail; now: number }) {
	const { run } = detail;
	const retry = useRunAction(run.id, 'retry');
	const resume = useRunAction(run.id, 'resume');
	const cancel = useRunAction(run.id, 'cancel');
	const failedScenes = detail.scenes.filter((scene) => scene.status === 'failed').length;
	const canRetry = run.status === 'failed' && failedScenes > 0;
	// The API resumes a failed run, or a running one that has not moved for 10 min (n8n died under it).
	const stale =
		(run.status === 'running' || run.status === 'starting') && now - new Date(run.updatedAt ?? run.createdAt).getTime() > STALE_MS;
	const canResume = run.status === 'failed' || stale;
	const canCancel = ACTIVE.has(run.status) && !run.cancelRequestedAt;
	const [confirming, setConfirming] = useState(false);
	// An action's note ("Retry started …") is about the run's previous end; a new end clears it.
	const shownStatus = useRef(run.status);
	useEffect(() => {
		if (shownStatus.current !== run.status && !ACTIVE.has(run.status)) [retry, resume, cancel].forEach((action) => action.reset());
		shownStatus.current = run.status;
	}, [run.status, retry, resume, cancel]);
	const busy = retry.isPending || resume.isPending || cancel.isPending;
	return (
		<div className="actions-block">
			<div className="actions">
				{canRetry && (
					<button type="button" className="primary" disabled={busy} onClick={() => retry.mutate({})} data-testid="retry-button">
						Retry {failedScenes} failed scene{failedScenes === 1 ? '' : 's'}
					</button>
				)}
				{canResume && (
					<button type="button" disabled={busy} onClick={() => resume.mutate({})} data-testid="resume-button">
						Resume run
					</button>
				)}
				{canCancel && !confirming && (
					<button type="button" className="danger" disabled={busy} onClick={() => setConfirming(true)} data-testid="cancel-button">
						Cancel run
					</button>
				)}
				{canCancel && confirming && (
					<span className="confirm">
						Stop this run at its next step? You can resume it later.{' '}
						<button
							type="button"
							className="danger"
							disabled={busy}
							onClick={() => (setConfirming(false), cancel.mutate({}))}
							data-testid="cancel-confirm"
						>
							Yes, cancel
						</button>{' '}
						<button type="button" onClick={() => setConfirming(false)}>
							No
						</button>
					</span>
				)}
				{run.cancelRequestedAt && ACTIVE.has(run.status) && (
					<span className="muted">Cancel requested {ago(run.cancelRequestedAt)}: the run stops at its next step.</span>
				)}
			</div>
			<ActionResult
				error={retry.error}
				done={retry.isSuccess ? 'Retry started: only the scenes not completed are made again.' : undefined}
			/>
			<ActionResult error={resume.error} done={resume.isSuccess ? 'Resumed: the run continues from where it stopped.' : undefined} />
			<ActionResult
				error={cancel.error}
				done={cancel.isSuccess ? (cancel.data?.warning ?? cancel.data?.message ?? 'Cancelled.') : undefined}
			/>
		</div>
	);
}

function Downloads({ detail }: { detail: RunDetail }) {
	const { artifacts } = detail;
	const links: Array<[string, string | null, string]> = [
		['MP4', artifacts.video, 'download-video'],
		['Subtitles (SRT)', artifacts.subtitles, 'download-subtitles'],
		['Thumbnail', artifacts.thumbnail, 'download-thumbnail'],
		['Plan (JSON)', artifacts.plan, 'download-plan'],
		['Timeline (OTIO)', artifacts.timeline, 'download-timeline'],
		['Timeline (EDL)', artifacts.edl, 'download-edl'],
	];
	return (
		<div className="downloads" data-testid="downloads">
			{links.map(([label, url, testId]) =>
				url ? (
					<a key={label} href={download(url)} data-testid={testId} className="button">
						↓ {label}
					</a>
				) : (
					<span key={label} className="button disabled" title="Not made yet">
						{label}
					</span>
				),
			)}
		</div>
	);
}

function Costs({ detail }: { detail: RunDetail }) {
	const { costs, run } = detail;
	return (
		<div className="costs" data-testid="costs">
			<p>
				Spent <strong data-testid="cost-total">{usd(costs.totalUsd ?? run.costUsd)}</strong> of an estimated{' '}
				{usd(costs.estimateUsd ?? run.estimateUsd)}
				{run.budgetUsd !== null && run.budgetUsd !== undefined ? `, budget ${usd(run.budgetUsd)}` : ''}.
			</p>
			{costs.byProvider.length > 0 && (
				<table className="table compact">
					<thead>
						<tr>
							<th>Provider</th>
							<th>Model</th>
							<th className="num">Units</th>
							<th className="num">Amount</th>
						</tr>
					</thead>
					<tbody>
						{costs.byProvider.map((line) => (
							<tr key={`${line.provider}/${line.model}`}>
								<td>{line.provider}</td>
								<td>{line.model ?? '—'}</td>
								<td className="num">
									{line.units ?? '—'} {line.unit ?? ''}
								</td>
								<td className="num">{usd(line.amountUsd, 4)}</td>
							</tr>
						))}
					</tbody>
				</table>
			)}
		</div>
	);
}

export function RunPage() {
	const { runId = '' } = useParams();
	const detail = useRun(runId);
	const now = useNow(10_000);

	if (detail.isPending) return <Loading what="the run" />;
	if (detail.error && !detail.data) return <ErrorNotice error={detail.error} what="the run" onRetry={() => void detail.refetch()} />;
	const data = detail.data;
	const { run } = data;
	const latestEvent = data.events.length ? data.events[data.events.length - 1].createdAt : null;
	const problem = runProblem(run, now, latestEvent);
	const awaiting = run.status === 'awaiting_approval' && run.approval === 'pending';

	return (
		<section data-testid="run-page" data-run-id={run.id} data-status={run.status}>
			<p className="crumbs">
				<Link to="/">Campaigns</Link> /{' '}
				{run.campaignId ? <Link to={`/campaigns/${run.campaignId}`}>{run.campaignName ?? 'Campaign'}</Link> : null}
				{run.campaignId ? ' /' : ''}
			</p>
			<div className="page-head">
				<h1 data-testid="run-title">{run.title || run.request?.title || `Run ${run.id.slice(0, 8)}`}</h1>
				<StatusBadge status={run.status} testId="run-status" />
				<span className="muted" data-testid="run-stage" data-stage={run.stage ?? ''}>
					{run.status === 'completed' ? '' : (run.stage ?? '')}
				</span>
			</div>
			{detail.error && <ErrorNotice error={detail.error} what="the latest state of the run" onRetry={() => void detail.refetch()} />}
			<ProgressBar run={run} />
			<p className="muted">
				{run.status === 'queued' && run.queuePosition !== null
					? run.queuePosition === 0
						? 'Next in the queue. '
						: `Position ${run.queuePosition} in the queue. `
					: ''}
				{run.startedAt ? `Started ${ago(run.startedAt, now)}` : `Created ${ago(run.createdAt, now)}`}
				{run.durationS !== null && run.durationS !== undefined
					? `, ${ACTIVE.has(run.status) ? 'running for' : 'took'} ${seconds(run.durationS)}`
					: ''}
				.{run.approval === 'approved' && run.approvalBy ? ` Storyboard approved by ${run.approvalBy}.` : ''}{' '}
				<span data-testid="run-brand-version">
					{run.brandVersion ? `Brand kit version ${run.brandVersion}.` : 'No brand kit.'}
				</span>
			</p>
			{problem && <ProblemNotice problem={problem} testId="run-problem" />}
			<Actions detail={data} now={now} />

			{awaiting && <ApprovalPanel detail={data} />}
			{awaiting && <TrailerPanel detail={data} />}

			<section className="card">
				<h2>Final video</h2>
				{data.artifacts.video ? (
					<video
						className="final"
						controls
						preload="metadata"
						src={data.artifacts.video}
						poster={data.artifacts.thumbnail ?? undefined}
						data-testid="final-video"
					/>
				) : (
					<p className="muted" data-testid="final-video-missing">
						{run.status === 'completed'
							? 'The run completed but its video is missing from storage. Resume the run to assemble it again.'
							: 'The final video appears here when assembly has finished.'}
					</p>
				)}
				<Downloads detail={data} />
			</section>

			<section className="card">
				<h2>Scenes</h2>
				<SceneGrid scenes={data.scenes} />
			</section>

			<div className="two-columns">
				<section className="card">
					<h2>Plan versions</h2>
					<PlanVersions versions={data.planVersions} />
				</section>
				<section className="card">
					<h2>Cost</h2>
					<Costs detail={data} />
				</section>
			</div>

			<RunCastPanel runId={run.id} />

			<CallbackAttempts runId={run.id} now={now} />

			<section className="card">
				<h2>AI calls</h2>
				<p className="muted small">Every request to Claude and the paid providers; click one for its prompt and answer.</p>
				<AiCalls runId={run.id} active={ACTIVE.has(run.status)} />
			</section>

			<section className="card">
				<h2>Timeline</h2>
				<Timeline events={data.events} />
			</section>
		</section>
	);
}
