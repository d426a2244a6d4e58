import type { Queryable } from '../transport/db';
import { fromRow } from '../../shared/store/rows';

export type EventStatus = 'queued' | 'started' | 'finished' | 'failed' | 'info';

export interface RunEvent {
	id: number;
	runId: string;
	sceneNumber: number | null;
	stage: string;
	status: EventStatus;
	message: string | null;
	durationMs: number | null;
	data: unknown;
	createdAt: string;
}

/**
 * Records a step event. A finished/failed event gets its duration from the latest `started` event of the same
 * run, stage and scene, so workflows only say "started" and "finished" and the timing comes for free.
 */
export async function recordEvent(
	db: Queryable,
	event: {
		runId: string;
		stage: string;
		status: EventStatus;
		sceneNumber?: number | null;
		message?: string | null;
		data?: unknown;
	},
): Promise<RunEvent> {
	const { rows } = await db.query(
		`insert into events (run_id, scene_number, stage, status, message, data, duration_ms)
		 values ($1, $2::int, $3::text, $4::text, $5, $6::jsonb,
		   case when $4::text in ('finished', 'failed') then (
		     select round(extract(epoch from clock_timestamp() - s.created_at) * 1000)::bigint
		       from events s
		      where s.run_id = $1 and s.stage = $3::text and s.status = 'started'
		        and s.scene_number is not distinct from $2::int
		      order by s.created_at desc, s.id desc limit 1)
		   end)
		 returning *`,
		[
			event.runId,
			event.sceneNumber ?? null,
			event.stage,
			event.status,
			event.message ?? null,
			event.data === undefined ? null : JSON.stringify(event.data),
		],
	);
	return toEvent(rows[0]);
}

export async function listEvents(db: Queryable, runId: string): Promise<RunEvent[]> {
	const { rows } = await db.query('select * from events where run_id = $1 order by created_at, id', [runId]);
	return rows.map(toEvent);
}

// bigserial ids arrive as strings; event ids stay far below 2^53.
const toEvent = (row: Record<string, unknown>): RunEvent => ({ ...fromRow<RunEvent>(row), id: Number(row.id) });
