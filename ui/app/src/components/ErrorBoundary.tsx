import { Component, type ReactNode } from 'react';
import { plainMessage } from '../api/client';

/**
 * A page that throws while rendering (or whose code fails to load, e.g. the server went away) shows a message and
 * a way out instead of a blank screen. The layout keys it by path, so moving to another page starts afresh.
 */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
	state = { error: null as Error | null };

	static getDerivedStateFromError(error: Error) {
		return { error };
	}

	render() {
		if (!this.state.error) return this.props.children;
		const loading = /dynamically imported module|Loading chunk|Failed to fetch/i.test(this.state.error.message);
		return (
			<div className="notice error" role="alert" data-testid="page-crashed">
				<strong>{loading ? 'This page could not be loaded.' : 'This page ran into a problem.'}</strong>{' '}
				{loading ? 'The dashboard server may be down or was updated.' : plainMessage(this.state.error.message)}
				<div className="next">
					Reload the page; if it keeps happening, check that `npm start` is running and look at the browser console.{' '}
					<button type="button" className="link" onClick={() => window.location.reload()}>
						Reload
					</button>
				</div>
			</div>
		);
	}
}
