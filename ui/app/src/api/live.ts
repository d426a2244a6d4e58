import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState } from 'react';
import type { LiveMessage } from './types';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

/** The state of the app's one event stream, for pages that poll while it is down. */
export const LiveContext = createContext<LiveState>('connecting');
export const useLiveState = () => useContext(LiveContext);

/**
 * One EventSource for the whole app. Each message names a run; the queries that show it (the run, campaign pages,
 * the campaign list, analytics) are invalidated so open pages refetch within a second, without a reload. Messages
 * arriving together are folded into one refetch per query (a run's scenes often change in bursts).
 */
export function useLiveUpdates(enabled: boolean): LiveState {
	const client = useQueryClient();
	const [state, setState] = useState<LiveState>('connecting');
	// A source the browser gave up on (the server answered an error, e.g. 401) is replaced after a pause.
	const [attempt, setAttempt] = useState(0);

	useEffect(() => {
		if (!enabled || typeof EventSource === 'undefined') return undefined;
		const source = new EventSource('/api/events', { withCredentials: true });
		const runs = new Set<string>();
		let timer: ReturnType<typeof setTimeout> | undefined;
		let lists = false;

		const flush = () => {
			timer = undefined;
			for (const runId of runs) void client.invalidateQueries({ queryKey: ['run', runId] });
			runs.clear();
			if (lists) {
				void client.invalidateQueries({ queryKey: ['campaign'] });
				void client.invalidateQueries({ queryKey: ['campaigns'] });
				void client.invalidateQueries({ queryKey: ['analytics'] });
				void client.invalidateQueries({ queryKey: ['system'] });
			}
			lists = false;
		};

		source.onopen = () => setState('live');
		let retry: ReturnType<typeof setTimeout> | undefined;
		source.onerror = () => {
			// The browser reconnects by itself after a dropped connection; after an error answer it stops.
			setState('reconnecting');
			if (source.readyState === EventSource.CLOSED && !retry) {
				// Maybe the session ended: asking who we are sends a 401 to the login page.
				void client.invalidateQueries({ queryKey: ['me'] });
				retry = setTimeout(() => setAttempt((n) => n + 1), 3000);
			}
			// After a gap, messages may have been missed: refetch what is on screen.
			lists = true;
			if (!timer) timer = setTimeout(flush, 1000);
		};
		// The server lost its Postgres listener for a while: anything may have changed.
		source.addEventListener('resync', () => {
			void client.invalidateQueries({ queryKey: ['run'] });
			lists = true;
			if (!timer) timer = setTimeout(flush, 150);
		});
		// The session ended (logged out elsewhere, expired): asking who we are leads to the login page.
		source.addEventListener('logout', () => {
			source.close();
			void client.invalidateQueries({ queryKey: ['me'] });
		});
		source.onmessage = (message) => {
			let data: LiveMessage;
			try {
				data = JSON.parse(message.data) as LiveMessage;
			} catch {
				return;
			}
			if (data.runId) runs.add(data.runId);
			// Scene and run changes move progress bars and counts in the lists; plain events only the run page.
			if (data.type !== 'event' || data.status === 'failed' || data.status === 'finished') lists = true;
			if (!timer) timer = setTimeout(flush, 150);
		};
		return () => {
			if (timer) clearTimeout(timer);
			if (retry) clearTimeout(retry);
			source.close();
		};
	}, [client, enabled, attempt]);

	return state;
}
