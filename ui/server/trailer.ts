/**
 * The trailer on the approval screen: a 15–30 s cut of a take's most telling moments, made by n8n (POST
 * /webhook/reelsmith/trailer, workflows/trailer.json) from the local renderer's stills, before the full run is paid
 * for. It costs nothing; the run's events record who made it. The MP4 is a run file, served by /api/artifacts.
 */
import { Hono } from 'hono';
import * as z from 'zod/v4';
import { visibleRun } from './access';
import { artifactUrl } from './artifacts';
import type { AppEnv, Deps } from './context';
import { ApiError, badRequest, conflict } from './errors';
import { jsonBody } from './http';
import { callWebhook } from './n8n';
import { describeRoute, errorSchema } from './openapi';
import { trailerKey } from '../../nodes/shared/keys';
import { listTakes } from '../../nodes/shared/store/planTakes';
import { getPlanVersion } from '../../nodes/Campaign/store/planVersions';

export const TRAILER_WEBHOOK = 'reelsmith/trailer';
/** A 1080p trailer takes about half a minute on two busy cores; n8n is given room for a queue ahead of it. */
const TRAILER_TIMEOUT_MS = 5 * 60_000;

const trailerRequest = z.object({
	take: z
		.number({ error: 'The take must be a take number such as 2.' })
		.int({ error: 'The take must be a whole take number such as 2.' })
		.min(1, { error: 'The take must be a take number from 1 up.' })
		.nullish(),
});

const momentSchema = z.object({
	scene: z.number().int(),
	line: z.number().int().nullable(),
	kind: z.enum(['dialogue', 'narration', 'visual']),
	speaker: z.string().nullable(),
	text: z.string(),
	duration: z.number(),
	reasons: z.array(z.string()),
});

export const trailerSchema = z.object({
	take: z.number().int(),
	version: z.number().int().meta({ description: 'The plan version the trailer shows.' }),
	key: z.string().meta({ description: 'runs/<runId>/trailer/v<version>.mp4' }),
	url: z.string().meta({ description: 'The dashboard link to play it (/api/artifacts/…).' }),
	duration: z.number().meta({ description: 'Seconds, 15 to 30.' }),
	width: z.number().int(),
	height: z.number().int(),
	chosenBy: z.enum(['rules', 'claude']),
	moments: z.array(momentSchema),
	cost: z.number().meta({ description: 'USD; 0, as the stills are drawn locally.' }),
});

export function trailerRoutes(deps: Deps) {
	const app = new Hono<AppEnv>();

	app.post(
		'/runs/:id/trailer',
		describeRoute({
			tag: 'Runs',
			summary: 'Make a trailer of a take before approval',
			description: `While the run waits for the storyboard decision: asks n8n (POST /webhook/${TRAILER_WEBHOOK}) for a 15–30 s cut of the take's most telling moments (the opening, the climax, short spoken lines, in story order) from the local renderer's stills, with a title card and the run's music. The take the run would make unless \`take\` is given. Costs nothing; recorded in the run's events.`,
			responses: {
				200: {
					description: 'The stored trailer with its link.',
					schema: trailerSchema,
					example: {
						take: 1,
						version: 2,
						key: 'runs/6f1c1a52-4c1e-4a8e-9d61-0b8f2f8f2a11/trailer/v2.mp4',
						url: '/api/artifacts/runs/6f1c1a52-4c1e-4a8e-9d61-0b8f2f8f2a11/trailer/v2.mp4',
						duration: 15.1,
						width: 1920,
						height: 1080,
						chosenBy: 'rules',
						moments: [
							{ scene: 1, line: 0, kind: 'dialogue', speaker: 'MAYA', text: "It's late again.", duration: 2.9, reasons: ['opening', 'spoken'] },
						],
						cost: 0,
					},
				},
				400: { description: 'No such take in the run.', schema: errorSchema },
				404: { description: 'No such run for the caller.', schema: errorSchema },
				409: {
					description: 'The run is not waiting for approval.',
					schema: errorSchema,
					example: { error: 'This run is running (generation); a trailer is made while it waits for approval.' },
				},
			},
		}),
		jsonBody(trailerRequest, { maxBytes: 1024 }),
		async (c) => {
			const user = c.get('user');
			const runId = c.req.param('id');
			await visibleRun(deps.db, user, runId);
			const body = c.req.valid('json');
			const { rows } = await deps.db.query<{
				status: string;
				stage: string | null;
				approval: string | null;
				options: Record<string, unknown> | null;
			}>('select status, stage, approval, options from runs where id = $1', [runId]);
			const state = rows[0];
			if (state.status !== 'awaiting_approval' || state.approval !== 'pending') {
				const now = state.approval && state.approval !== 'pending' ? `${state.approval}` : state.status.replace('_', ' ');
				throw conflict(
					`This run is ${now}${state.stage && state.status === 'running' ? ` (${state.stage})` : ''}; a trailer is made while it waits for approval.`,
				);
			}
			const takes = await listTakes(deps.db, runId);
			const take = body.take ?? takes.find((t) => t.chosen)?.take ?? takes[0]?.take ?? 1;
			const target = takes.find((t) => t.take === take);
			if (!target) throw badRequest('take', `This run has no take ${take}; make a trailer of take ${takes.map((t) => t.take).join(', ') || '1'}.`);
			const current = await getPlanVersion(deps.db, runId, target.version);
			const options = state.options ?? {};
			const answer = await callWebhook(
				deps.webhookBase,
				deps.webhookToken,
				TRAILER_WEBHOOK,
				{
					runId,
					planVersion: current.version,
					plan: current.plan,
					options: {
						preset: options.preset,
						style: options.style,
						brand: options.brand,
						music: options.music ?? null,
						loudnessTarget: options.loudnessTarget,
					},
				},
				TRAILER_TIMEOUT_MS,
			);
			if (answer.status === 400) throw badRequest(String(answer.body.field ?? 'take'), String(answer.body.message ?? 'n8n refused the trailer.'));
			const key = String(answer.body.key ?? '');
			if (answer.status !== 200 || key !== trailerKey(runId, current.version)) {
				throw new ApiError(
					502,
					`n8n answered ${answer.status} for the trailer without its file: ${answer.body.message ?? 'no message'}. Check the Trailer workflow.`,
				);
			}
			const trailer = {
				take,
				version: current.version,
				key,
				url: artifactUrl(key)!,
				duration: Number(answer.body.duration ?? 0),
				width: Number(answer.body.width ?? 0),
				height: Number(answer.body.height ?? 0),
				chosenBy: answer.body.chosenBy === 'claude' ? ('claude' as const) : ('rules' as const),
				moments: Array.isArray(answer.body.moments) ? answer.body.moments : [],
				cost: 0,
			};
			const who = user.name || user.email;
			await deps.db.query("insert into events (run_id, stage, status, message, data) values ($1, 'run', 'info', $2, $3)", [
				runId,
				`Trailer of take ${take} (plan v${current.version}) made by ${who}: ${trailer.duration.toFixed(1)} s, ${trailer.moments.length} moments, cost $0.`,
				JSON.stringify({ by: user.email, take, version: current.version, key, duration: trailer.duration, cost: 0 }),
			]);
			return c.json(trailer);
		},
	);

	return app;
}
