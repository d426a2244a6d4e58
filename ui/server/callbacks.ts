/**
 * Callbacks on the dashboard: a campaign's signing secret (shown to its managers, rotated on request) and a run's
 * deliveries with every attempt, with "send again". Sending is shared with n8n's Send Callbacks step
 * (nodes/shared/callbacks/send.ts), so a manual attempt is signed, checked and recorded the same way.
 */
import { Hono } from 'hono';
import * as z from 'zod/v4';
import { campaignNotFound, canSeeCampaign, visibleRun } from './access';
import type { AppEnv, Deps } from './context';
import { isUuid } from './db';
import { conflict, notFound } from './errors';
import { describeRoute, errorSchema, type ResponseDoc } from './openapi';
import { EXAMPLE_RUN } from './schemas';
import { sendAgain, type SendContext } from '../../nodes/shared/callbacks/send';
import { listDeliveries } from '../../nodes/shared/store/callbacks';

const time = z.string().meta({ description: 'ISO 8601' });
const secretSchema = z.object({ secret: z.string().meta({ description: 'The HMAC-SHA256 key of x-reelsmith-signature' }) });
const SECRET_EXAMPLE = { secret: 'whsec_3f9a1c0d7e6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b' };
const attemptSchema = z.object({
	attemptedAt: time,
	statusCode: z.number().int().nullable(),
	latencyMs: z.number().int().nullable(),
	error: z.string().nullable(),
	madeBy: z.string().meta({ description: '"n8n", or the email of who pressed Send again' }),
});
const deliverySchema = z.object({
	id: z.uuid(),
	event: z.string().meta({ description: 'run.completed, run.failed, run.cancelled or stage.finished' }),
	url: z.string(),
	status: z.enum(['pending', 'delivered', 'undeliverable']),
	attempts: z.number().int(),
	nextAttemptAt: time,
	lastError: z.string().nullable(),
	deliveredAt: time.nullable(),
	createdAt: time,
	stage: z.string().nullable(),
	attemptList: z.array(attemptSchema),
});
const EXAMPLE_DELIVERY = {
	id: '2b7e1516-28ae-4d2a-a6ab-f7158809cf4f',
	event: 'run.completed',
	url: 'https://hooks.example.com/reelsmith',
	status: 'delivered',
	attempts: 2,
	nextAttemptAt: '2026-12-01T09:31:10.000Z',
	lastError: null,
	deliveredAt: '2026-12-01T09:31:10.000Z',
	createdAt: '2026-12-01T09:31:00.000Z',
	stage: null,
	attemptList: [
		{ attemptedAt: '2026-12-01T09:31:00.000Z', statusCode: 500, latencyMs: 41, error: 'The receiver answered 500.', madeBy: 'n8n' },
		{ attemptedAt: '2026-12-01T09:31:10.000Z', statusCode: 200, latencyMs: 35, error: null, madeBy: 'n8n' },
	],
};
const CAMPAIGN_NOT_FOUND: ResponseDoc = {
	description: 'No campaign with that id that the caller can see.',
	schema: errorSchema,
	example: { error: 'There is no campaign 0d5f3d4e-2a61-4b8c-9a3e-5c1f7e9b2d10 that you can see.' },
};
const RUN_NOT_FOUND: ResponseDoc = {
	description: 'No run with that id that the caller can see, or no such callback of it.',
	schema: errorSchema,
	example: { error: `Run ${EXAMPLE_RUN.id} has no callback 2b7e1516-28ae-4d2a-a6ab-f7158809cf4f. Reload the run page.` },
};

export function callbackRoutes(deps: Deps) {
	const app = new Hono<AppEnv>();
	const context: SendContext = {
		db: deps.db,
		settings: deps.callbacks,
		// The receiver downloads the video from outside, as a browser would: the public address of the store.
		presign: (key, seconds) => deps.presigner.presignedGetUrl({ bucket: deps.presigner.bucket, key }, seconds),
	};

	const visibleCampaign = (c: { get: (key: 'user') => AppEnv['Variables']['user']; req: { param: (name: 'id') => string } }) => {
		const id = c.req.param('id');
		if (!isUuid(id) || !canSeeCampaign(c.get('user'), id)) throw campaignNotFound(id);
		return id;
	};

	app.get(
		'/campaigns/:id/callback-secret',
		describeRoute({
			tag: 'Callbacks',
			summary: "The campaign's callback signing secret",
			description: 'Receivers check x-reelsmith-signature with it (README: Callbacks).',
			responses: { 200: { description: 'The secret.', schema: secretSchema, example: SECRET_EXAMPLE }, 404: CAMPAIGN_NOT_FOUND },
		}),
		async (c) => {
			const id = visibleCampaign(c);
			const { rows } = await deps.db.query<{ callback_secret: string }>('select callback_secret from campaigns where id = $1', [id]);
			if (!rows[0]) throw campaignNotFound(id);
			c.header('Cache-Control', 'private, no-store');
			return c.json({ secret: rows[0].callback_secret });
		},
	);

	// The old secret stops working at once: deliveries sent from now on (retries included) are signed with the new one.
	app.post(
		'/campaigns/:id/callback-secret/rotate',
		describeRoute({
			tag: 'Callbacks',
			summary: "Rotate the campaign's callback signing secret",
			description: 'The old secret stops working at once: every delivery sent from now on, retries included, is signed with the new one.',
			responses: { 200: { description: 'The new secret.', schema: secretSchema, example: SECRET_EXAMPLE }, 404: CAMPAIGN_NOT_FOUND },
		}),
		async (c) => {
			const id = visibleCampaign(c);
			const { rows } = await deps.db.query<{ callback_secret: string }>(
				'update campaigns set callback_secret = reelsmith_callback_secret() where id = $1 returning callback_secret',
				[id],
			);
			if (!rows[0]) throw campaignNotFound(id);
			deps.log(`[dashboard] ${c.get('user').email} rotated the callback secret of campaign ${id}`);
			c.header('Cache-Control', 'private, no-store');
			return c.json({ secret: rows[0].callback_secret });
		},
	);

	app.get(
		'/runs/:id/callbacks',
		describeRoute({
			tag: 'Callbacks',
			summary: "A run's callback deliveries, with every attempt",
			responses: {
				200: { description: 'Oldest first.', schema: z.object({ deliveries: z.array(deliverySchema) }), example: { deliveries: [EXAMPLE_DELIVERY] } },
				404: RUN_NOT_FOUND,
			},
		}),
		async (c) => {
			const runId = c.req.param('id');
			await visibleRun(deps.db, c.get('user'), runId);
			return c.json({ deliveries: await listDeliveries(deps.db, runId) });
		},
	);

	app.post(
		'/runs/:id/callbacks/:deliveryId/send',
		describeRoute({
			tag: 'Callbacks',
			summary: 'Send a callback again now',
			description: 'One attempt, signed with the current secret and recorded like the automatic ones; a success marks the delivery delivered.',
			responses: {
				200: {
					description: 'The attempt made, and the deliveries after it.',
					schema: z.object({
						attempt: z.object({
							delivered: z.boolean(),
							statusCode: z.number().int().nullable(),
							latencyMs: z.number().int().nullable(),
							error: z.string().nullable(),
						}),
						deliveries: z.array(deliverySchema),
					}),
					example: { attempt: { delivered: true, statusCode: 200, latencyMs: 35, error: null }, deliveries: [EXAMPLE_DELIVERY] },
				},
				404: RUN_NOT_FOUND,
				409: {
					description: 'Being sent right now.',
					schema: errorSchema,
					example: { error: 'This callback is being sent right now. Wait a few seconds, then look at its attempts again.' },
				},
			},
		}),
		async (c) => {
			const runId = c.req.param('id');
			const deliveryId = c.req.param('deliveryId');
			await visibleRun(deps.db, c.get('user'), runId);
			const gone = () => notFound(`Run ${runId} has no callback ${deliveryId}. Reload the run page.`);
			if (!isUuid(deliveryId)) throw gone();
			const exists = await deps.db.query('select 1 from callback_deliveries where id = $1 and run_id = $2', [deliveryId, runId]);
			if (!exists.rowCount) throw gone();
			const result = await sendAgain(context, runId, deliveryId, c.get('user').email);
			if (!result) throw conflict('This callback is being sent right now. Wait a few seconds, then look at its attempts again.');
			return c.json({
				attempt: { delivered: result.delivered, statusCode: result.statusCode, latencyMs: result.latencyMs, error: result.error },
				deliveries: await listDeliveries(deps.db, runId),
			});
		},
	);

	return app;
}
