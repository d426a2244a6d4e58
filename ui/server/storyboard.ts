/**
 * Editing the storyboard before approval: a manager rewrites what a scene shows (its visual description, which
 * becomes the video prompt) while the run waits for the decision. Each edit is a new plan version of that take,
 * source "manual", so every version is kept; an edit of the take the run would make becomes the one it makes.
 */
import { Hono } from 'hono';
import * as z from 'zod/v4';
import { visibleRun } from './access';
import { audit } from './audit';
import type { AppEnv, Deps } from './context';
import { badRequest, conflict, notFound } from './errors';
import { jsonBody } from './http';
import { describeRoute, errorSchema } from './openapi';
import { listTakes } from '../../nodes/shared/store/planTakes';
import { getPlanVersion } from '../../nodes/Campaign/store/planVersions';
import { storePlanVersion } from '../../nodes/Campaign/store/storePlanVersion';

/** Room for a detailed shot description; providers cut prompts far shorter (Kling 2,500 characters with the rest). */
const MAX_VISUAL = 2000;

const sceneEdit = z.object({
	visualDescription: z
		.string({ error: 'Send "visualDescription": what the camera shows in this scene, as text.' })
		.trim()
		.min(1, { error: '"visualDescription" is empty. Describe what the camera shows in this scene.' })
		.max(MAX_VISUAL, {
			error: `"visualDescription" is longer than ${MAX_VISUAL} characters. Shorten it; the video prompt is cut far shorter anyway.`,
		}),
	take: z
		.number({ error: 'The take must be a take number such as 2.' })
		.int({ error: 'The take must be a whole take number such as 2.' })
		.min(1, { error: 'The take must be a take number from 1 up.' })
		.nullish(),
});

const editedSchema = z.object({
	version: z.number().int().meta({ description: 'The plan version the edit made.' }),
	take: z.number().int(),
	chosen: z.boolean().meta({ description: 'Whether the run will make this version when approved.' }),
	scene: z.object({ number: z.number().int(), visualDescription: z.string() }),
});

export function storyboardRoutes(deps: Deps) {
	const app = new Hono<AppEnv>();

	app.patch(
		'/runs/:id/storyboard/scenes/:number',
		describeRoute({
			tag: 'Runs',
			summary: "Edit a scene's picture before approval",
			description:
				'While the run waits for the storyboard decision: replaces what scene N shows (its visual description, the video prompt) in the take the run would make, or in `take`. The edit is a new plan version (source manual); approving makes it.',
			responses: {
				200: { description: 'The plan version the edit made.', schema: editedSchema },
				404: { description: 'No such run for the caller, or no such scene or take in its plan.', schema: errorSchema },
				409: {
					description: 'The run is not waiting for approval.',
					schema: errorSchema,
					example: { error: 'This run is running (generation); the storyboard can only be edited while it waits for approval.' },
				},
			},
		}),
		jsonBody(sceneEdit, { maxBytes: 16 * 1024, hint: 'Send a shorter description.' }),
		async (c) => {
			const user = c.get('user');
			const runId = c.req.param('id');
			await visibleRun(deps.db, user, runId);
			const number = Number(c.req.param('number'));
			const body = c.req.valid('json');
			const { rows } = await deps.db.query<{ status: string; stage: string | null; approval: string | null }>(
				'select status, stage, approval from runs where id = $1',
				[runId],
			);
			const state = rows[0];
			if (state.status !== 'awaiting_approval' || state.approval !== 'pending') {
				const now = state.approval && state.approval !== 'pending' ? `${state.approval}` : state.status.replace('_', ' ');
				throw conflict(
					`This run is ${now}${state.stage && state.status === 'running' ? ` (${state.stage})` : ''}; the storyboard can only be edited while it waits for approval.`,
				);
			}
			const takes = await listTakes(deps.db, runId);
			const take = body.take ?? takes.find((t) => t.chosen)?.take ?? takes[0]?.take ?? 1;
			const target = takes.find((t) => t.take === take);
			if (!target) throw badRequest('take', `This run has no take ${take}; edit one of take ${takes.map((t) => t.take).join(', ') || '1'}.`);
			const current = await getPlanVersion(deps.db, runId, target.version);
			const scenes = current.plan.scenes ?? [];
			const scene = scenes.find((s) => s.number === number);
			if (!scene) {
				throw notFound(`Take ${take}'s plan has no scene ${c.req.param('number')}; it has scenes 1 to ${scenes.length}.`);
			}
			const who = user.name || user.email;
			const before = scene.visualDescription ?? '';
			const plan = structuredClone(current.plan);
			plan.scenes.find((s) => s.number === number)!.visualDescription = body.visualDescription;
			const stored = await storePlanVersion(deps.db, deps.storage, {
				runId,
				take,
				parentVersion: current.version,
				// The critic scored the words before the edit; a score for words nobody scored would mislead.
				score: null,
				critique: null,
				plan,
				source: 'manual',
				changes: [`Scene ${number}: what the camera shows rewritten by ${who} on the approval screen.`],
				choose: target.chosen,
			});
			await deps.db.query("insert into events (run_id, stage, status, message, data) values ($1, 'run', 'info', $2, $3)", [
				runId,
				`Scene ${number} of take ${take} edited by ${who} (plan v${stored.version}).`,
				JSON.stringify({ by: user.email, take, scene: number, version: stored.version }),
			]);
			await audit(deps.db, user, {
				action: 'run.storyboard.edit',
				subjectType: 'run',
				subjectId: runId,
				before: { version: current.version, scene: number, visualDescription: before },
				after: { version: stored.version, scene: number, visualDescription: body.visualDescription },
			});
			return c.json({ version: stored.version, take, chosen: target.chosen, scene: { number, visualDescription: body.visualDescription } });
		},
	);

	return app;
}
