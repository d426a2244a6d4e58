import { useEffect, useState, type ReactNode } from 'react';
import { ApiError, errorMessage } from '../api/client';
import type { Problem } from '../explain';

/** "Loading…" that never spins for ever: after a while it says what may be wrong. */
export function Loading({ what }: { what: string }) {
	const [slow, setSlow] = useState(false);
	useEffect(() => {
		const timer = setTimeout(() => setSlow(true), 8000);
		return () => clearTimeout(timer);
	}, []);
	return (
		<div className="loading" data-testid="loading" role="status">
			<span className="spinner" aria-hidden /> Loading {what}…
			{slow && <p className="muted">This is taking longer than usual. The server may be busy; it gives up after 20 s and says why.</p>}
		</div>
	);
}

/** A failed request: what happened and what to do, with a way to try again. */
export function ErrorNotice({ error, onRetry, what }: { error: unknown; onRetry?: () => void; what?: string }) {
	const status = error instanceof ApiError ? error.status : undefined;
	const next =
		status === 404
			? 'Go back to the campaigns list.'
			: status !== undefined && status >= 500
				? 'Try again; if it keeps failing, the server log says why.'
				: undefined;
	return (
		<div className="notice error" role="alert" data-testid="error-message">
			<strong>{what ? `Could not load ${what}.` : 'Something went wrong.'}</strong> {errorMessage(error)}
			{next && <div className="next">{next}</div>}
			{onRetry && (
				<button type="button" className="link" onClick={onRetry}>
					Try again
				</button>
			)}
		</div>
	);
}

export function ProblemNotice({ problem, testId, children }: { problem: Problem; testId?: string; children?: ReactNode }) {
	return (
		<div className={`notice ${problem.tone}`} role={problem.tone === 'error' ? 'alert' : 'status'} data-testid={testId}>
			<strong>{problem.title}.</strong> <span data-testid={testId ? `${testId}-message` : undefined}>{problem.message}</span>
			<div className="next">
				<em>Next:</em> {problem.next}
			</div>
			{children}
		</div>
	);
}

/** The result of an action button: its error, or a short confirmation. */
export function ActionResult({ error, done }: { error: unknown; done?: string }) {
	if (error) {
		return (
			<div className="notice error small" role="alert" data-testid="action-error">
				{errorMessage(error)}
			</div>
		);
	}
	if (done) {
		return (
			<div className="notice ok small" role="status" data-testid="action-done">
				{done}
			</div>
		);
	}
	return null;
}
