/**
 * Where a run's generation time went, from what the stack wrote down (not from the bench's own clock): the task
 * ledger (intent/submit, provider finished, clip stored), the fake provider's log (accepted, reported finished), the
 * run's events and n8n's execution data (each node's start and execution time). Printed as seconds from the
 * generation stage's 'started' event, so a P3 run can be read as a timeline.
 */
import pg from 'pg';
import type { SubmissionLog } from '../../test/fakes/loopback';

/** n8n stores execution data as flatted JSON: a list whose objects name their string and object values by index. */
function unflatten(text: string): unknown {
	const list = JSON.parse(text) as unknown[];
	const made = new Map<number, unknown>();
	const get = (index: number): unknown => {
		if (made.has(index)) return made.get(index);
		const raw = list[index];
		if (raw === null || typeof raw !== 'object') return raw;
		const out: Record<string, unknown> = Array.isArray(raw) ? ([] as unknown as Record<string, unknown>) : {};
		made.set(index, out);
		for (const [key, value] of Object.entries(raw)) out[key] = typeof value === 'string' ? get(Number(value)) : value;
		return out;
	};
	return get(0);
}

interface NodeRun {
	startTime: number;
	executionTime: number;
	data?: { main?: Array<Array<unknown> | null> };
}

export async function generationTimeline(options: { db: pg.Pool; n8nDatabaseUrl: string; runId: string; log?: SubmissionLog }): Promise<string[]> {
	const { db, runId } = options;
	const lines: string[] = [];
	const { rows: stage } = await db.query<{ started: Date; finished: Date }>(
		`select min(created_at) filter (where status = 'started') as started, max(created_at) filter (where status = 'finished') as finished
		   from events where run_id = $1 and stage = 'generation' and scene_number is null`,
		[runId],
	);
	const zero = new Date(stage[0].started).getTime();
	const at = (time: Date | number | null | undefined) =>
		time == null ? '   -  ' : ((new Date(time).getTime() - zero) / 1000).toFixed(1).padStart(6);
	lines.push(`generation ${at(stage[0].finished).trim()} s (t = 0 at its 'started' event)`);

	const { rows: tasks } = await db.query<{
		scene_number: number;
		task_id: string;
		submitted_at: Date;
		rendered_at: Date | null;
		finished_at: Date | null;
	}>(`select scene_number, task_id, submitted_at, rendered_at, finished_at from provider_tasks where run_id = $1 order by submitted_at`, [runId]);
	const { rows: events } = await db.query<{ scene_number: number; stage: string; status: string; message: string | null; created_at: Date }>(
		`select scene_number, stage, status, message, created_at from events where run_id = $1 and scene_number is not null order by created_at`,
		[runId],
	);
	const accepted = new Map((options.log?.submissions ?? []).map((submission) => [submission.taskId, submission.at]));
	lines.push('scene  accepted  provider done  clip stored  scene events');
	for (const task of tasks) {
		const bare = task.task_id.includes(':') ? task.task_id.split(':')[1] : task.task_id;
		const sceneEvents = events
			.filter((event) => event.scene_number === task.scene_number)
			.map((event) => `${event.stage}/${event.status}@${at(event.created_at).trim()}`)
			.join(' ');
		lines.push(
			`${String(task.scene_number).padStart(5)}  ${at(accepted.get(bare) ?? task.submitted_at)}    ${at(task.rendered_at)}      ${at(task.finished_at)}     ${sceneEvents}`,
		);
	}

	// n8n's own record of the executions that ran in the stage: each node's start and execution time.
	const n8n = new pg.Client({ connectionString: options.n8nDatabaseUrl });
	await n8n.connect();
	try {
		const { rows: executions } = await n8n.query<{ id: string; name: string; started: Date; stopped: Date; data: string }>(
			`select e.id, w.name, e."startedAt" as started, e."stoppedAt" as stopped, d.data
			   from execution_entity e join execution_data d on d."executionId" = e.id join workflow_entity w on w.id = e."workflowId"
			  where e."startedAt" >= $1 and e."startedAt" <= $2 order by e."startedAt"`,
			[new Date(zero - 1000), stage[0].finished],
		);
		for (const execution of executions) {
			lines.push(`execution ${execution.id} ${execution.name}: ${at(execution.started).trim()} → ${at(execution.stopped).trim()}`);
			let runData: Record<string, NodeRun[]> = {};
			try {
				runData = (unflatten(execution.data) as { resultData?: { runData?: Record<string, NodeRun[]> } }).resultData?.runData ?? {};
			} catch {
				lines.push('  (execution data not readable)');
			}
			const runs = Object.entries(runData)
				.flatMap(([node, list]) => list.map((run) => ({ node, ...run })))
				.sort((a, b) => a.startTime - b.startTime);
			for (const run of runs) {
				const items = (run.data?.main ?? []).reduce((sum, output) => sum + (output?.length ?? 0), 0);
				lines.push(`  ${at(run.startTime)} +${(run.executionTime / 1000).toFixed(2).padStart(6)} s  ${run.node} (${items} item(s) out)`);
			}
		}
	} finally {
		await n8n.end();
	}
	return lines;
}
