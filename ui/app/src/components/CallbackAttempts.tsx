import { errorMessage } from '../api/client';
import { useCallbacks, useSendCallbackAgain } from '../api/queries';
import type { CallbackDelivery } from '../api/types';
import { ago } from '../format';

const STATUS_WORDS: Record<CallbackDelivery['status'], string> = {
	pending: 'retrying',
	delivered: 'delivered',
	undeliverable: 'undeliverable',
};

const eventName = (delivery: CallbackDelivery) => (delivery.event === 'stage.finished' ? `${delivery.stage ?? 'stage'} finished` : delivery.event);

/** What Reelsmith POSTed to the run's callbackUrl, every attempt, and "send again". Nothing when the run has no callbackUrl. */
export function CallbackAttempts({ runId, now }: { runId: string; now: number }) {
	const callbacks = useCallbacks(runId);
	const sendAgain = useSendCallbackAgain(runId);
	const deliveries = callbacks.data?.deliveries ?? [];
	if (deliveries.length === 0) return null;
	return (
		<section className="card" data-testid="callbacks">
			<h2>Callbacks</h2>
			<p className="muted">Sent to {deliveries[deliveries.length - 1].url}</p>
			{sendAgain.error && (
				<div className="field-error" role="alert">
					{errorMessage(sendAgain.error)}
				</div>
			)}
			{deliveries.map((delivery) => (
				<div key={delivery.id} className="callback" data-testid="callback" data-status={delivery.status}>
					<p>
						<strong>{eventName(delivery)}</strong> — {STATUS_WORDS[delivery.status]}
						{delivery.status === 'pending' && delivery.attempts > 0 ? `, next try ${ago(delivery.nextAttemptAt, now).replace(' ago', '')}` : ''}{' '}
						<button
							type="button"
							disabled={sendAgain.isPending}
							onClick={() => sendAgain.mutate(delivery.id)}
							data-testid="callback-send-again"
						>
							Send again
						</button>
					</p>
					{delivery.attemptList.length === 0 ? (
						<p className="muted">Not sent yet: the next Send Callbacks step (within 20 s) sends it.</p>
					) : (
						<table className="table compact">
							<thead>
								<tr>
									<th>When</th>
									<th className="num">Answer</th>
									<th className="num">Took</th>
									<th>Error</th>
									<th>By</th>
								</tr>
							</thead>
							<tbody>
								{delivery.attemptList.map((attempt, i) => (
									<tr key={i} data-testid="callback-attempt">
										<td title={attempt.attemptedAt}>{ago(attempt.attemptedAt, now)}</td>
										<td className="num">{attempt.statusCode ?? 'none'}</td>
										<td className="num">{attempt.latencyMs === null ? '—' : `${attempt.latencyMs} ms`}</td>
										<td>{attempt.error ?? ''}</td>
										<td>{attempt.madeBy === 'sender' ? 'schedule' : attempt.madeBy}</td>
									</tr>
								))}
							</tbody>
						</table>
					)}
				</div>
			))}
		</section>
	);
}
