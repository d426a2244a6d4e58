import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { klingProvider } from '../../nodes/VideoGeneration/providers/kling';
import type { RemoteOptions } from '../../nodes/VideoGeneration/providers/remote';
import { runwayProvider } from '../../nodes/VideoGeneration/providers/runway';
import { ChaosProxy, seededRandom } from '../fakes/chaos';
import { FakeKling } from '../fakes/kling';
import { FakeRunway } from '../fakes/runway';
import { useS3 } from '../helpers/s3';
import { useWorkDir } from '../helpers/work-dir';
import { assertUniformClip, makeProviderVideo, runTask, youtubeRequest } from './support';

/**
 * Kling and Runway behind a proxy that fails 30 % of requests at seeded random (429 with and without Retry-After,
 * 5xx, hangs, resets, cut and slow bodies), with 10 % of tasks failing and 10 % of results not being a video. Each
 * clip either lands in storage in the run format or fails with a plain reason; nothing is billed twice; nothing
 * hangs. Seed: REELSMITH_CHAOS_SEED.
 */
const SEED = Number(process.env.REELSMITH_CHAOS_SEED ?? 7);
const TRIALS = 8;
// Fast waits; a 1.5 s request timeout ends the proxy's hangs (the real policy waits 120 s).
const OPTIONS: RemoteOptions = { retry: { attempts: 4, baseDelayMs: 20, maxDelayMs: 200, timeoutMs: 1500 }, minPollIntervalMs: 10 };

const s3 = useS3();
const work = useWorkDir('reelsmith-chaos-');
let kling: FakeKling;
let runway: FakeRunway;
let klingProxy: ChaosProxy;
let runwayProxy: ChaosProxy;

beforeAll(async () => {
	const video = await makeProviderVideo(work.path);
	kling = await new FakeKling('ak-chaos', 'sk-chaos-secret', video).start();
	runway = await new FakeRunway('rw-chaos-secret', video).start();
	klingProxy = await new ChaosProxy(kling.url, { errorRate: 0.3, seed: SEED, hangMs: 5000 }).start();
	runwayProxy = await new ChaosProxy(runway.url, { errorRate: 0.3, seed: SEED + 1, hangMs: 5000 }).start();
	for (const [fake, seed] of [[kling, SEED + 2], [runway, SEED + 3]] as const) {
		Object.assign(fake.knobs, { failShare: 0.1, badResultShare: 0.1, random: seededRandom(seed) });
	}
});
afterAll(async () => {
	await Promise.allSettled([klingProxy?.stop(), runwayProxy?.stop(), kling?.stop(), runway?.stop()]);
});

const READABLE = /^[A-Z][^\n]{15,400}$/;

describe('paid video providers under seeded provider and network faults', () => {
	for (const name of ['Kling', 'Runway'] as const) {
		test(`${name}: every clip is made in the run format or fails with a plain reason, and no task is paid twice`, async () => {
			const fake = name === 'Kling' ? kling : runway;
			const proxy = name === 'Kling' ? klingProxy : runwayProxy;
			const provider =
				name === 'Kling'
					? klingProvider.create({ storage: s3.storage, credentials: { accessKey: 'ak-chaos', secretKey: 'sk-chaos-secret', baseUrl: proxy.url }, options: OPTIONS })
					: runwayProvider.create({ storage: s3.storage, credentials: { apiSecret: 'rw-chaos-secret', baseUrl: proxy.url }, options: OPTIONS });
			const outcomes: string[] = [];
			for (let trial = 1; trial <= TRIALS; trial++) {
				const key = `runs/chaos-${name}/scenes/${String(trial).padStart(3, '0')}/clip.mp4`;
				const accepted = fake.log.submissions.length;
				let result: Awaited<ReturnType<typeof runTask>> | { error: string; clip?: undefined };
				try {
					result = await runTask(provider, youtubeRequest(), key, s3.bucket, 30_000);
				} catch (error) {
					result = { error: (error as Error).message };
				}
				assert.ok(fake.log.submissions.length - accepted <= 1, `trial ${trial}: ${fake.log.submissions.length - accepted} tasks were billed for one clip`);
				if (result.clip) {
					await assertUniformClip(s3, key, work.path, 2);
					outcomes.push('made');
				} else {
					assert.match(String(result.error), READABLE, `trial ${trial}: a plain reason`);
					assert.doesNotMatch(String(result.error), /undefined|\[object|ECONNRESET$|^fetch failed$/, `trial ${trial}: ${result.error}`);
					assert.equal(await s3.storage.stat({ bucket: s3.bucket, key }), null, `trial ${trial}: a failed clip leaves no object`);
					outcomes.push(`failed: ${result.error}`);
				}
			}
			if (process.env.REELSMITH_CHAOS_PRINT) console.log(outcomes.join('\n'), proxy.faults);
			assert.ok(proxy.totalFaults >= 3, `the proxy misbehaved (${JSON.stringify(proxy.faults)})`);
			// Retries carry most clips through; a submit whose connection broke is not sent again (the provider may
			// have billed it), so some clips fail, each saying why.
			const made = outcomes.filter((outcome) => outcome === 'made').length;
			assert.ok(made >= 2, `retries carry clips through 30 % faults: ${made}/${TRIALS}\n${outcomes.join('\n')}`);
		});
	}
});
