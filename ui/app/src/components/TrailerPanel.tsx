import { useEffect, useState } from 'react';
import { useMakeTrailer } from '../api/queries';
import type { RunDetail, Trailer } from '../api/types';
import { seconds } from '../format';
import { ErrorNotice } from './Feedback';

/** About how long n8n takes per second of trailer at 1080p on a small machine: the estimate behind the progress bar. */
const RENDER_SECONDS_PER_SECOND = 1.5;
const TYPICAL_TRAILER_SECONDS = 20;

/**
 * "Make a trailer" on the approval screen: a 15–30 s cut of a take's most telling moments from the storyboard stills,
 * with a title card and the run's music, to watch before the full run is paid for. One per take; it costs nothing.
 */
export function TrailerPanel({ detail }: { detail: RunDetail }) {
	const takes = detail.takes ?? [];
	const list = takes.length > 0 ? takes.map((take) => take.take) : [1];
	return (
		<section className="card trailer" data-testid="trailer-panel">
			<h2>Trailer</h2>
			<p className="muted">
				A 15–30 s cut of the most telling moments (the opening, the climax, short spoken lines) from the storyboard stills, with a title card and the
				run's music. Made locally: it costs nothing.
			</p>
			{list.map((take) => (
				<TakeTrailer key={take} runId={detail.run.id} take={takes.length > 1 ? take : undefined} label={takes.length > 1 ? `Take ${take}` : null} />
			))}
		</section>
	);
}

function TakeTrailer({ runId, take, label }: { runId: string; take?: number; label: string | null }) {
	const make = useMakeTrailer(runId);
	const [trailer, setTrailer] = useState<Trailer | null>(null);
	const testId = `trailer-${take ?? 1}`;
	return (
		<div className="take-trailer" data-testid={testId}>
			{label && <strong>{label} </strong>}
			<button
				type="button"
				disabled={make.isPending}
				onClick={() => make.mutate({ take }, { onSuccess: (answer) => setTrailer(answer) })}
				data-testid={`${testId}-make`}
			>
				{trailer ? 'Make it again' : 'Make a trailer'}
			</button>
			{make.isPending && <TrailerProgress testId={`${testId}-progress`} />}
			{make.isError && <ErrorNotice error={make.error} what="the trailer" onRetry={() => make.mutate({ take })} />}
			{trailer && !make.isPending && (
				<figure>
					<video
						src={trailer.url}
						controls
						preload="metadata"
						width={Math.min(480, trailer.width)}
						style={{ aspectRatio: `${trailer.width} / ${trailer.height}`, maxWidth: '100%', height: 'auto' }}
						data-testid={`${testId}-video`}
					/>
					<figcaption className="muted small">
						{seconds(trailer.duration)} · {trailer.moments.length} moments (chosen by {trailer.chosenBy === 'claude' ? 'Claude' : 'the rules'}) · cost
						$0
						<ol>
							{trailer.moments.map((moment) => (
								<li key={`${moment.scene}-${moment.line}`}>
									Scene {moment.scene}
									{moment.text ? (
										<>
											: {moment.speaker ? `${moment.speaker}: ` : ''}“{moment.text}”
										</>
									) : null}
								</li>
							))}
						</ol>
					</figcaption>
				</figure>
			)}
		</div>
	);
}

/** n8n answers when the trailer is stored: until then, the time so far against the usual render time. */
function TrailerProgress({ testId }: { testId: string }) {
	const [started] = useState(() => Date.now());
	const [now, setNow] = useState(started);
	useEffect(() => {
		const timer = setInterval(() => setNow(Date.now()), 500);
		return () => clearInterval(timer);
	}, []);
	const elapsed = (now - started) / 1000;
	const expected = TYPICAL_TRAILER_SECONDS * RENDER_SECONDS_PER_SECOND;
	// Never shows done before n8n says so.
	const pct = Math.min(95, Math.round((elapsed / expected) * 100));
	return (
		<div className="progress" data-testid={testId}>
			<div
				className="progress-track status-running"
				role="progressbar"
				aria-valuemin={0}
				aria-valuemax={100}
				aria-valuenow={pct}
				aria-label="Making the trailer"
			>
				<div className="progress-fill" style={{ width: `${pct}%` }} />
			</div>
			<span className="progress-label">
				Making the trailer from the stills… {Math.round(elapsed)} s (usually about {Math.round(expected)} s)
			</span>
		</div>
	);
}
