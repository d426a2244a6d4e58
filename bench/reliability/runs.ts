/**
 * R1 · crashes and R2 · provider faults: 6-scene runs on the paid fakes (Kling films, ElevenLabs speaks, the rules
 * planner plans). R1 SIGKILLs n8n at a chosen moment of each run and starts it again; nobody calls resume, so the
 * watchdog must recover the run. R2 turns the chaos proxies and the fakes' faults on, its trials alternating Kling +
 * ElevenLabs and Runway + Google: tasks that fail, results that are no video or whose link expired before the
 * download, speech audio cut short or no audio at all; then each fake's bill is held against the run's cost lines.
 */
import { RETRY_POLICY } from '../../nodes/shared/transport/http';
import { seededRandom } from '../../test/fakes/chaos';
import type { ChaosProxy } from '../../test/fakes/chaos';
import type { FakeElevenLabs } from '../../test/fakes/elevenlabs';
import type { FakeGoogleTts } from '../../test/fakes/google-tts';
import type { FakeKling } from '../../test/fakes/kling';
import type { FakeRunway } from '../../test/fakes/runway';
import { ADMIN, LEASE_SECONDS, markedRun, post, timeline, unrecordedTasks, waitTerminal, type SuiteEnv } from './env';
import { newRow, type Row } from './table';

const SCENES = 6;
/** A recovered run may need the lease, the watchdog's round and the rest of its work. */
const BOUND_MS = (LEASE_SECONDS + 20) * 1000 + 6 * 60_000;
/** A request the proxy leaves hanging costs the run up to the longest request timeout before it is given up on. */
const HANG_MS = RETRY_POLICY.timeoutMs;

function runRequest(marker: string, video = 'kling', speech = 'elevenlabs') {
	return markedRun(marker, SCENES, { video: [video], speech: [speech] });
}

/** The providers one R2 trial runs on, each fake with its chaos proxy: odd trials Kling + ElevenLabs, even Runway + Google. */
interface FaultPair {
	video: { name: 'kling' | 'runway'; fake: FakeKling | FakeRunway; proxy: ChaosProxy };
	speech: { name: 'elevenlabs' | 'google'; fake: FakeElevenLabs | FakeGoogleTts; proxy: ChaosProxy };
}

function faultPair(env: SuiteEnv, trial: number): FaultPair {
	return trial % 2 === 1
		? { video: { name: 'kling', fake: env.kling, proxy: env.klingProxy }, speech: { name: 'elevenlabs', fake: env.elevenlabs, proxy: env.elevenlabsProxy } }
		: { video: { name: 'runway', fake: env.runway, proxy: env.runwayProxy }, speech: { name: 'google', fake: env.google, proxy: env.googleProxy } };
}

/**
 * What each provider of the trial billed against what the run's cost lines say was paid: video tasks the fake
 * rendered (a failed task is refunded) against clip lines, one per task; speech characters of every answer the fake
 * sent with 200 (broken audio and answers cut off on the way included) against the speech lines' characters.
 * One entry per provider whose numbers differ.
 */
export async function billing(env: SuiteEnv, runId: string, marker: string, pair: FaultPair): Promise<{ summary: string; mismatches: string[] }> {
	const { rows } = await env.db.query<{ provider: string; tasks: number; units: number }>(
		`select provider, count(distinct task_id)::int as tasks, coalesce(sum(units), 0)::float as units
		   from costs where run_id = $1 group by provider`,
		[runId],
	);
	const costed = (provider: string) => rows.find((row) => row.provider === provider) ?? { tasks: 0, units: 0 };
	const video = { billed: pair.video.fake.log.billed(marker), costed: costed(pair.video.name).tasks };
	const speech = { billed: pair.speech.fake.billed.characters, costed: costed(pair.speech.name).units };
	const mismatches: string[] = [];
	if (video.billed !== video.costed) mismatches.push(`${pair.video.name} billed ${video.billed} tasks, ${video.costed} clip cost lines`);
	if (speech.billed !== speech.costed) mismatches.push(`${pair.speech.name} billed ${speech.billed} characters, cost lines say ${speech.costed}`);
	return {
		summary: `${pair.video.name} billed ${video.billed} tasks / ${video.costed} cost lines; ${pair.speech.name} billed ${speech.billed} characters in ${pair.speech.fake.billed.answers} answers / ${speech.costed} on cost lines`,
		mismatches,
	};
}

type Moment = 'planning' | 'task open' | 'download' | 'accepted, before the answer' | 'assembly' | 'waiting for approval';
export const MOMENTS: Moment[] = ['accepted, before the answer', 'task open', 'planning', 'download', 'assembly', 'waiting for approval'];

/** The manager approves the storyboard on the dashboard, as a person would after n8n came back. */
async function approveOnDashboard(env: SuiteEnv, runId: string): Promise<string | null> {
	const base = env.dashboard.url;
	const login = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
	const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
	const answer = await fetch(`${base}/api/runs/${runId}/approval`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie, origin: base },
		body: JSON.stringify({ decision: 'approve' }),
	});
	return answer.ok ? null : `the approval answered ${answer.status} ${(await answer.text()).slice(0, 160)}`;
}

async function stageOf(env: SuiteEnv, runId: string): Promise<{ status: string; stage: string | null }> {
	const { rows } = await env.db.query('select status, stage from runs where id = $1', [runId]);
	return rows[0] ?? { status: 'missing', stage: null };
}

async function until(check: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
	const deadline = Date.now() + ms;
	while (Date.now() < deadline) {
		if (await check()) return true;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	return false;
}

/** Did the run end as the target wants: completed, or failed with a message that names its scenes? */
function judge(row: Row, what: string, end: Record<string, any> | null, mustComplete: boolean, boundMs = BOUND_MS) {
	if (!end) {
		row.stuck += 1;
		row.problems.push(`${what}: not terminal within ${Math.round(boundMs / 1000)} s`);
		return;
	}
	if (end.status === 'completed') {
		row.completed += 1;
		return;
	}
	const message = String(end.error ?? '');
	if (/scene \d|scenes? [\d,]+/i.test(message) && message.length > 20) {
		row.failedReadable += 1;
		if (mustComplete) row.problems.push(`${what}: ${end.status}: ${message.slice(0, 200)}`);
	} else row.problems.push(`${what}: ${end.status} without a message naming its scenes: "${message.slice(0, 200)}"`);
}

export async function crashes(env: SuiteEnv, options: { trials: number; seed: number; trial?: number; log: (line: string) => void }): Promise<Row> {
	const row = newRow('R1 crashes (regular)', 'all complete without resume; 0 paid twice; within lease + work', true);
	const random = seededRandom(options.seed);
	for (let trial = options.trial ?? 1; trial <= (options.trial ?? options.trials); trial++) {
		const moment = MOMENTS[(trial - 1) % MOMENTS.length];
		const marker = `R1T${trial}X${options.seed}`;
		env.kling.reset();
		env.kling.knobs.taskMs = 3000 + Math.floor(random() * 3000);
		let killed: Promise<void> | undefined;
		const kill = () => (killed ??= env.stack.killN8n('SIGKILL'));
		if (moment === 'accepted, before the answer') {
			let seen = 0;
			const at = 1 + Math.floor(random() * 3);
			env.kling.onAccepted = async (_id, prompt) => {
				if (prompt.includes(marker) && ++seen === at) await kill();
			};
		}
		row.trials += 1;
		const approval = moment === 'waiting for approval';
		const answer = await post(env, 'reelsmith/runs', { ...runRequest(marker), ...(approval ? { approval: true } : {}) });
		if (answer.status !== 202) {
			row.problems.push(`trial ${trial}: the webhook answered ${answer.status}`);
			continue;
		}
		const runId = String(answer.json.runId);
		const ready = await until(async () => {
			if (killed) return true;
			const run = await stageOf(env, runId);
			if (moment === 'planning') return run.status === 'running';
			if (moment === 'task open') return env.kling.log.inFlight > 0;
			if (moment === 'download') return env.kling.downloads > 0;
			if (moment === 'assembly') return run.stage === 'assembly';
			if (approval) return run.status === 'awaiting_approval';
			return false;
		}, 4 * 60_000);
		if (!ready) row.problems.push(`trial ${trial}: the moment "${moment}" did not come`);
		await kill();
		env.kling.onAccepted = undefined;
		await env.stack.startN8n();
		options.log(`[reliability] R1 trial ${trial}: n8n killed at "${moment}" and started again; waiting for the run …`);
		if (approval) {
			// The wait survives n8n's death: the approval after the restart must reach the same execution.
			const refused = await approveOnDashboard(env, runId);
			if (refused) row.problems.push(`trial ${trial} (${moment}): ${refused}`);
		}
		const end = await waitTerminal(env, runId, BOUND_MS);
		judge(row, `trial ${trial} (${moment})`, end, true);
		if (!end) for (const line of await timeline(env, runId)) options.log(`[reliability]   ${line}`);
		row.paidTwice += await unrecordedTasks(env, runId, marker);
	}
	return row;
}

export async function providerFaults(
	env: SuiteEnv,
	options: { trials: number; seed: number; trial?: number; log: (line: string) => void },
): Promise<Row> {
	const row = newRow(
		'R2 provider faults',
		'30 % errors, 10 % failed tasks: complete or fail naming scenes; 0 stuck; 0 paid twice; cost lines == billed',
		false,
	);
	for (let trial = options.trial ?? 1; trial <= (options.trial ?? options.trials); trial++) {
		const marker = `R2T${trial}X${options.seed}`;
		const pair = faultPair(env, trial);
		const { video, speech } = pair;
		video.fake.reset();
		Object.assign(video.fake.knobs, { failShare: 0.1, badResultShare: 0.05, expiredUrlShare: 0.05, random: seededRandom(options.seed + trial) });
		speech.fake.reset();
		Object.assign(speech.fake.knobs, { truncatedShare: 0.05, invalidShare: 0.05, random: seededRandom(options.seed + 300 + trial) });
		video.proxy.set({ errorRate: 0.3, seed: options.seed + 100 + trial, hangMs: 150_000 });
		speech.proxy.set({ errorRate: 0.3, seed: options.seed + 200 + trial, hangMs: 150_000 });
		row.trials += 1;
		try {
			const answer = await post(env, 'reelsmith/runs', runRequest(marker, video.name, speech.name));
			if (answer.status !== 202) {
				row.problems.push(`trial ${trial}: the webhook answered ${answer.status}`);
				continue;
			}
			const runId = String(answer.json.runId);
			// Each hang the proxies dealt this trial may cost the run one request timeout.
			const hangsBefore = video.proxy.faults.timeout + speech.proxy.faults.timeout;
			const bound = () => BOUND_MS + (video.proxy.faults.timeout + speech.proxy.faults.timeout - hangsBefore) * HANG_MS;
			const end = await waitTerminal(env, runId, bound);
			judge(row, `trial ${trial} (${video.name} + ${speech.name})`, end, false, bound());
			if (!end) for (const line of await timeline(env, runId)) options.log(`[reliability]   ${line}`);
			row.paidTwice += await unrecordedTasks(env, runId, marker, video.name);
			const bill = await billing(env, runId, marker, pair);
			row.billing += bill.mismatches.length;
			for (const mismatch of bill.mismatches) row.problems.push(`trial ${trial}: ${mismatch}`);
			options.log(
				`[reliability] R2 trial ${trial} (${video.name} + ${speech.name}): ${end?.status ?? 'stuck'}; ${bill.summary}; proxy faults ${JSON.stringify({ [video.name]: video.proxy.faults, [speech.name]: speech.proxy.faults })}; expired links ${video.fake.expiredDownloads}; broken audio ${JSON.stringify(speech.fake.audioFaults)}`,
			);
		} finally {
			video.proxy.set({ errorRate: 0 });
			speech.proxy.set({ errorRate: 0 });
			speech.fake.reset();
		}
	}
	return row;
}
