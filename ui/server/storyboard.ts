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
import { carryStills, drawStills, promptProvider } from '../../nodes/Campaign/lib/storyboard';
import type { RunOptions } from '../../nodes/Campaign/lib/request';
import { listStills } from '../../nodes/Campaign/store/storyboardStills';
import { artifactUrl } from './artifacts';

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

const stillSchema = z.object({
	number: z.number().int(),
	heading: z.string(),
	duration: z.number().meta({ description: 'Planned seconds.' }),
	characters: z.array(z.string()).meta({ description: 'Who is in the scene.' }),
	prompt: z.string().nullable().meta({ description: 'The video prompt the provider would get (promptFor), null before the still was drawn.' }),
	still: z.object({
		status: z.enum(['drawn', 'failed', 'pending']).meta({ description: 'pending: not drawn (yet).' }),
		url: z.string().nullable().meta({ description: 'The PNG through /api/artifacts (the same access rules as every run file).' }),
		painter: z.string().nullable().meta({ description: 'Who drew it: local (the local renderer).' }),
		error: z.string().nullable().meta({ description: 'Why there is no still.' }),
	}),
});

const storyboardSchema = z.object({
	promptFor: z.enum(['kling', 'runway']).nullable().meta({ description: 'Whose prompt is shown: the first paid video provider of the run; null = none (local), the prompt before any style hint.' }),
	takes: z.array(z.object({ take: z.number().int(), version: z.number().int(), chosen: z.boolean(), scenes: z.array(stillSchema) })),
});

export function storyboardRoutes(deps: Deps) {
	const app = new Hono<AppEnv>();

	app.get(
		'/runs/:id/storyboard',
		describeRoute({
			tag: 'Runs',
			summary: "The storyboard: each take's scenes with their still, prompt, characters and duration",
			description:
				"One still per scene of each take's newest plan version, drawn by the local renderer before the approval wait and again for an edited scene. No image model provider exists yet; a scene whose still could not be drawn says why.",
			responses: {
				200: { description: 'The takes, scene by scene.', schema: storyboardSchema },
				404: { description: 'No such run for the caller.', schema: errorSchema },
			},
		}),
		async (c) => {
			const runId = c.req.param('id');
			await visibleRun(deps.db, c.get('user'), runId);
			const { rows } = await deps.db.query<{ options: RunOptions | null }>('select options from runs where id = $1', [runId]);
			const takes = await listTakes(deps.db, runId);
			const stills = await listStills(
				deps.db,
				runId,
				takes.map((take) => take.version),
			);
			const out = [];
			for (const take of takes) {
				const { plan } = await getPlanVersion(deps.db, runId, take.version);
				out.push({
					take: take.take,
					version: take.version,
					chosen: take.chosen,
					scenes: (plan.scenes ?? []).map((scene) => {
						const still = stills.find((row) => row.version === take.version && row.sceneNumber === scene.number);
						return {
							number: scene.number,
							heading: scene.heading ?? '',
							duration: Number(scene.duration) || 0,
							characters: scene.characters ?? [],
							prompt: still?.prompt ?? null,
							still: {
								status: still?.status ?? 'pending',
								url: artifactUrl(still?.stillKey),
								painter: still?.painter ?? null,
								error: still?.error ?? null,
							},
						};
					}),
				});
			}
			return c.json({ promptFor: promptProvider(rows[0]?.options ?? {}), takes: out });
		},
	);

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
			// The scenes the edit left alone keep their stills; the edited one is drawn again (a failure is recorded, the edit stands).
			const { rows: optionRows } = await deps.db.query<{ options: RunOptions | null }>('select options from runs where id = $1', [runId]);
			await carryStills(deps.db, runId, current.version, stored.version, [number]);
			await drawStills(deps.db, deps.storage, {
				runId,
				version: stored.version,
				take,
				plan,
				options: optionRows[0]?.options ?? {},
				scenes: [number],
				redraw: true,
			}).catch((error: Error) => deps.log(`[dashboard] storyboard still of run ${runId} scene ${number}: ${error.message}`));
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
