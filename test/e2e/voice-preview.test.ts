import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import pg from 'pg';
import { buildPackage, dashboardConnection, ensureInstalled, startStack, type Stack } from '../../initialization/stack';
import { ffprobe } from '../../nodes/shared/transport/ffmpeg';
import { startDashboard, type Dashboard } from '../../ui/server/index';
import { Browser } from '../dashboard/api-support';
import { FakeElevenLabs } from '../fakes/elevenlabs';
import { freePort } from '../helpers/ports';
import { postWebhook } from './stack-support';

/**
 * Voice lists and previews through real n8n (workflows/voice-list.json, voice-preview.json) and the dashboard routes
 * that call them: espeak-ng speaks on this machine, ElevenLabs on its fake (its key only in n8n's credential).
 */
const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };

let stack: Stack;
let dataDir: string;
let dashboard: Dashboard;
let elevenlabs: FakeElevenLabs;
let browser: Browser;

describe('voice previews through real n8n', () => {
	beforeAll(async () => {
		await ensureInstalled(() => {});
		await buildPackage(() => {});
		dataDir = await mkdtemp(join(tmpdir(), 'reelsmith-voices-'));
		elevenlabs = await new FakeElevenLabs().start();
		elevenlabs.voices = [
			{ voice_id: '21m00Tcm4TlvDq8ikWAM', name: 'Rachel', labels: { gender: 'female' }, verified_languages: [{ language: 'en', locale: 'en-US' }] },
		];
		stack = await startStack({
			dataDir,
			n8nPort: await freePort(),
			log: () => {},
			providerKeys: { elevenlabs: { apiKey: elevenlabs.apiKey, baseUrl: elevenlabs.url } },
		});
		dashboard = await startDashboard({ ...dashboardConnection(stack), port: 0, admin: ADMIN, migrate: false, queue: null, log: () => {} });
		browser = new Browser(dashboard.url);
		assert.equal((await browser.login(ADMIN.email, ADMIN.password)).status, 200);
	});

	afterAll(async () => {
		await dashboard?.stop();
		await stack?.stop();
		await elevenlabs?.stop();
		if (dataDir) await rm(dataDir, { recursive: true, force: true });
	});

	test('an espeak-ng preview plays as speech-length WAV; the same preview again comes from storage', async () => {
		const request = { provider: 'espeak', voice: 'en-us+f3', text: 'The lighthouse keeper counts the ships at dusk.', settings: { rate: 165 } };
		const first = await browser.request('POST', '/api/voices/preview', request);
		assert.equal(first.status, 200, JSON.stringify(first.body));
		const preview = first.body as Record<string, any>;
		assert.equal(preview.cached, false);
		assert.equal(preview.cost.amountUsd, 0);
		assert.match(preview.key, /^voice-previews\/espeak\/[0-9a-f]{40}\.wav$/);

		// The presigned link is what the page's <audio> plays: fetch it as the browser would.
		const audio = await fetch(preview.url);
		assert.equal(audio.status, 200);
		const file = join(dataDir, 'preview.wav');
		await writeFile(file, Buffer.from(await audio.arrayBuffer()));
		const probe = await ffprobe(file);
		assert.equal(probe.streams[0].codec_type, 'audio');
		const seconds = Number(probe.streams[0].duration);
		assert.ok(seconds > 1.5 && seconds < 8, `eight words take seconds (got ${seconds})`);
		assert.ok(Math.abs(seconds - preview.duration) < 0.01);

		const second = await browser.request('POST', '/api/voices/preview', request);
		assert.equal(second.status, 200);
		const again = second.body as Record<string, any>;
		assert.equal(again.cached, true, 'served from storage');
		assert.equal(again.key, preview.key);
		assert.equal(again.duration, preview.duration);
	});

	test('a paid preview is costed once: asked again, n8n does not call ElevenLabs', async () => {
		const request = { provider: 'elevenlabs', voice: '21m00Tcm4TlvDq8ikWAM', text: 'Welcome back, traveller.' };
		const first = (await browser.request('POST', '/api/voices/preview', request)).body as Record<string, any>;
		assert.equal(first.cached, false, JSON.stringify(first));
		assert.ok(first.cost.amountUsd > 0);
		const again = (await browser.request('POST', '/api/voices/preview', request)).body as Record<string, any>;
		assert.equal(again.cached, true);
		assert.equal(again.cost.amountUsd, 0);
		assert.equal(elevenlabs.speechRequests().length, 1);
		assert.equal(elevenlabs.speechRequests()[0].headers['xi-api-key'], elevenlabs.apiKey, "n8n's credential holds the key");
		// Every provider call is kept, a preview's too (it belongs to no run), with what it cost; the key never is.
		const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 1 });
		try {
			const { rows } = await db.query(
				"select run_id, purpose, ok, cost_usd, request::text as request from ai_calls where provider = 'elevenlabs' and purpose = 'preview'",
			);
			assert.equal(rows.length, 1, JSON.stringify(rows));
			assert.equal(rows[0].run_id, null);
			assert.equal(rows[0].ok, true);
			assert.equal(Number(rows[0].cost_usd), first.cost.amountUsd);
			assert.match(rows[0].request, /Welcome back, traveller\./);
			assert.ok(!JSON.stringify(rows).includes(elevenlabs.apiKey), 'no key in the record');
		} finally {
			await db.end();
		}
	});

	test('voice lists: espeak-ng by language and search, ElevenLabs through n8n', async () => {
		const espeak = await browser.request('GET', '/api/voices?provider=espeak&language=en&q=scot');
		assert.equal(espeak.status, 200, JSON.stringify(espeak.body));
		assert.deepEqual(
			(espeak.body as { voices: Array<{ id: string }> }).voices.map((voice) => voice.id),
			['en-gb-scotland'],
		);
		const paid = await browser.request('GET', '/api/voices?provider=elevenlabs');
		assert.deepEqual((paid.body as { voices: unknown[] }).voices, [
			{ provider: 'elevenlabs', id: '21m00Tcm4TlvDq8ikWAM', name: 'Rachel', languages: ['en-US'], gender: 'female' },
		]);
	});

	test("a paid preview for a campaign counts against its budget; past it, 400 naming campaign; cached, it costs nothing", async () => {
		const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 1 });
		try {
			const campaign = (await db.query("insert into campaigns (name, budget_usd) values ('Voice budget', 0.05) returning id")).rows[0].id as string;
			const spend = async () =>
				((await browser.request('GET', '/api/campaigns')).body as { campaigns: Array<{ id: string; spendUsd: number }> }).campaigns.find(
					(line) => line.id === campaign,
				)!.spendUsd;
			const calls = elevenlabs.speechRequests().length;
			const line = { provider: 'elevenlabs', voice: '21m00Tcm4TlvDq8ikWAM', text: 'The harbour lights are on.', campaign };
			const first = await browser.request('POST', '/api/voices/preview', line);
			assert.equal(first.status, 200, JSON.stringify(first.body));
			const cost = (first.body as { cost: { amountUsd: number } }).cost.amountUsd;
			assert.ok(cost > 0);
			assert.equal(await spend(), Math.round(cost * 10000) / 10000);

			// The budget now has less left than another line costs.
			const budget = Math.round((cost + 0.0005) * 1e6) / 1e6;
			assert.equal((await browser.request('PATCH', `/api/campaigns/${campaign}`, { budgetUsd: budget })).status, 200);
			const dear = await browser.request('POST', '/api/voices/preview', { ...line, text: 'And the boats are coming home.' });
			assert.equal(dear.status, 400, JSON.stringify(dear.body));
			const refusal = dear.body as { field: string; error: string };
			assert.equal(refusal.field, 'campaign');
			assert.match(refusal.error, /has \$0\.0005 left; raise the budget or preview a free voice/);

			const again = await browser.request('POST', '/api/voices/preview', line);
			assert.equal(again.status, 200, 'a cached preview costs nothing, so a full budget does not stop it');
			assert.equal((again.body as { cached: boolean }).cached, true);
			assert.equal(elevenlabs.speechRequests().length, calls + 1, 'only the first line reached ElevenLabs');
			const { rows } = await db.query('select cost_usd from preview_costs where campaign_id = $1', [campaign]);
			assert.deepEqual(rows.map((row) => Number(row.cost_usd)), [cost]);
		} finally {
			await db.end();
		}
	});

	test('the webhooks refuse a call without the token, and answer a bad request with the field', async () => {
		const refused = await postWebhook(
			stack,
			'reelsmith/voices/preview',
			{ provider: 'espeak', voice: 'en', text: 'Hi' },
			{ 'x-reelsmith-token': 'wrong' },
		);
		assert.equal(refused.status, 401);
		const long = await postWebhook(stack, 'reelsmith/voices/preview', { provider: 'espeak', voice: 'en', text: 'x'.repeat(301) });
		assert.equal(long.status, 400);
		assert.equal(long.json.field, 'text');
		const unknown = await browser.request('POST', '/api/voices/preview', { provider: 'espeak', voice: 'xx-nowhere', text: 'Hi there' });
		assert.equal(unknown.status, 400);
		assert.match(String((unknown.body as { error: string }).error), /espeak-ng has no voice "xx-nowhere"/);
	});
});
