/**
 * Callbacks on the dashboard: a campaign's signing secret (shown to its managers, rotated on request) and a run's
 * deliveries with every attempt, with "send again". Sending is shared with n8n's Send Callbacks step
 * (nodes/shared/callbacks/send.ts), so a manual attempt is signed, checked and recorded the same way.
 */
import { Hono } from 'hono';
import { campaignNotFound, canSeeCampaign, visibleRun } from './access';
import type { AppEnv, Deps } from './context';
import { isUuid } from './db';
import { conflict, notFound } from './errors';
import { sendAgain, type SendContext } from '../../nodes/shared/callbacks/send';
import { listDeliveries } from '../../nodes/shared/store/callbacks';

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

	app.get('/campaigns/:id/callback-secret', async (c) => {
		const id = visibleCampaign(c);
		const { rows } = await deps.db.query<{ callback_secret: string }>('select callback_secret from campaigns where id = $1', [id]);
		if (!rows[0]) throw campaignNotFound(id);
		c.header('Cache-Control', 'private, no-store');
		return c.json({ secret: rows[0].callback_secret });
	});

	// The old secret stops working at once: deliveries sent from now on (retries included) are signed with the new one.
	app.post('/campaigns/:id/callback-secret/rotate', async (c) => {
		const id = visibleCampaign(c);
		const { rows } = await deps.db.query<{ callback_secret: string }>(
			'update campaigns set callback_secret = reelsmith_callback_secret() where id = $1 returning callback_secret',
			[id],
		);
		if (!rows[0]) throw campaignNotFound(id);
		deps.log(`[dashboard] ${c.get('user').email} rotated the callback secret of campaign ${id}`);
		c.header('Cache-Control', 'private, no-store');
		return c.json({ secret: rows[0].callback_secret });
	});

	app.get('/runs/:id/callbacks', async (c) => {
		const runId = c.req.param('id');
		await visibleRun(deps.db, c.get('user'), runId);
		return c.json({ deliveries: await listDeliveries(deps.db, runId) });
	});

	app.post('/runs/:id/callbacks/:deliveryId/send', async (c) => {
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
	});

	return app;
}
