import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import pg from 'pg';
import { buildPackage, ensureInstalled, startStack, type Stack } from '../../initialization/stack';
import { validateCast } from '../../nodes/Campaign/lib/cast';
import { saveCast } from '../../nodes/Campaign/store/cast';
import { freePort } from '../helpers/ports';
import { postWebhook, waitForRun } from './stack-support';

/**
 * A campaign's cast through real n8n (offline pipeline): two runs of one campaign, with scripts that write ALICE
 * differently, both get the cast's look in their plan and speak her lines with the cast's voice.
 */
const FIXTURES = join(__dirname, '..', 'fixtures', 'scripts');
const CAMPAIGN = 'Cast e2e';
const LOOK = 'a woman of thirty in a yellow raincoat, short red hair';
const VOICE = 'en-gb+f3';

let stack: Stack;
let db: pg.Pool;
let dataDir: string;

describe('the campaign cast through real n8n', { timeout: 30 * 60_000 }, () => {
	beforeAll(async () => {
		await ensureInstalled(() => {});
		await buildPackage(() => {});
		dataDir = await mkdtemp(join(tmpdir(), 'reelsmith-cast-e2e-'));
		stack = await startStack({ dataDir, n8nPort: await freePort() });
		db = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
	});

	afterAll(async () => {
		await db?.end();
		await stack?.stop();
		if (dataDir) await rm(dataDir, { recursive: true, force: true });
	});

	test('two runs of one campaign give the same character the same look and voice', async () => {
		const { rows } = await db.query('insert into campaigns (name) values ($1) returning id', [CAMPAIGN]);
		const checked = validateCast(
			{ characters: [{ name: 'Alice', aliases: ['Álice'], description: LOOK, voice: { provider: 'espeak', voice: VOICE } }] },
			rows[0].id,
		);
		assert.ok(checked.ok);
		await saveCast(db, rows[0].id, checked.cast, 'e2e');

		const script = await readFile(join(FIXTURES, 'three-scenes.fountain'), 'utf8');
		// The second script calls her ÁLICE: the alias (and the accent-blind match) finds her.
		const scripts = [script, script.replace(/ALICE/g, 'ÁLICE')];
		const runIds: string[] = [];
		for (const text of scripts) {
			const answer = await postWebhook(stack, 'reelsmith/runs', {
				script: text,
				campaign: CAMPAIGN,
				preset: 'square',
				iterations: 1,
				speech: 'espeak',
				video: 'local',
			});
			assert.equal(answer.status, 202, JSON.stringify(answer.json));
			runIds.push(String(answer.json.runId));
		}
		for (const runId of runIds) {
			const run = await waitForRun(db, runId, (row) => row.status === 'completed' || row.status === 'failed');
			assert.equal(run.status, 'completed', `run failed: ${run.error}`);
			assert.equal(run.cast_version, 1);
		}

		for (const [index, runId] of runIds.entries()) {
			const plan = (await db.query('select plan, source from plan_versions where run_id = $1 and chosen', [runId])).rows[0];
			assert.equal(plan.source, 'cast');
			const alice = plan.plan.characters.find((character: { name: string }) => /^[AÁ]LICE$/.test(character.name));
			assert.equal(alice.description, LOOK, `run ${index + 1}: the cast's look`);
			assert.deepEqual(alice.voice, { provider: 'espeak', voice: VOICE });
			// Every line of hers was spoken in the cast's voice; Bob, not in the cast, in another.
			const lines = (await db.query('select narration from scenes where run_id = $1 order by number', [runId])).rows.flatMap(
				(row) => (row.narration as Array<{ speaker: string; voice: string }>) ?? [],
			);
			const voices = (speaker: RegExp) => [...new Set(lines.filter((line) => speaker.test(line.speaker)).map((line) => line.voice))];
			assert.deepEqual(voices(/^[AÁ]LICE/), [VOICE], `run ${index + 1}: Alice's voices`);
			assert.ok(voices(/^BOB/).length > 0 && !voices(/^BOB/).includes(VOICE), `run ${index + 1}: Bob keeps his own voice`);
		}
	});
});
