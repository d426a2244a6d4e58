import { useState } from 'react';
import type { RunEvent } from '../api/types';
import { clock, seconds } from '../format';

const SHOWN = 60;

/** The run's step events, oldest first; long runs show the latest ones unless asked. */
export function Timeline({ events }: { events: RunEvent[] }) {
	const [all, setAll] = useState(false);
	if (!events.length) return <p className="muted">No steps yet.</p>;
	const shown = all ? events : events.slice(-SHOWN);
	return (
		<>
			{events.length > shown.length && (
				<button type="button" className="link" onClick={() => setAll(true)}>
					Show the {events.length - shown.length} earlier steps
				</button>
			)}
			<ol className="timeline" data-testid="timeline">
				{shown.map((event) => (
					<li key={event.id} className={`event ev-${event.status}`} data-testid="timeline-event">
						<time>{clock(event.createdAt)}</time>
						<span className="stage">{event.stage}</span>
						<span className="ev-status">{event.status}</span>
						{event.sceneNumber !== null && event.sceneNumber !== undefined && <span className="muted">scene {event.sceneNumber}</span>}
						<span className="message">{event.message}</span>
						{event.durationMs !== null && event.durationMs !== undefined && (
							<span className="muted">{seconds(event.durationMs / 1000)}</span>
						)}
					</li>
				))}
			</ol>
		</>
	);
}
