/**
 * R3 · hostile input, against the running webhooks and dashboard: a corpus of known-nasty requests plus fast-check
 * mutations of a valid one (the same generators as the property tests). Every answer must be a 4xx naming a field
 * (nothing written) or a 202 whose run then completes or fails in plain words; never a 5xx; n8n stays up.
 */
import fc from 'fast-check';
import { mutatedRequest } from '../../test/helpers/hostile';
import { n8nUp, post, waitTerminal, type SuiteEnv } from './env';
import { newRow, type Row } from './table';

const SCENE = 'INT. KITCHEN - NIGHT\n\nAlice stirs the soup.\n\nALICE\nIs the kettle on?\n';
/** Accepted hostile runs stay offline and small: one scene, local clips, espeak-ng. */
const BASE = { script: SCENE, iterations: 1, video: ['local'], speech: ['espeak'], campaign: 'Reliability · hostile', preset: 'square' };

interface Case {
	what: string;
	body: unknown;
	/** 'reject': a 4xx naming `field`; 'accept': a 202 and a run that completes. */
	expect: 'reject' | 'accept';
	field?: string;
}

const scenes = (n: number) => Array.from({ length: n }, (_, i) => `INT. ROOM ${i + 1} - DAY\n\nA beat.\n`).join('\n');

export const CORPUS: Case[] = [
	{ what: 'NUL in the script', body: { ...BASE, script: `${SCENE}\u0000` }, expect: 'reject', field: 'script' },
	{ what: 'NUL in the title', body: { ...BASE, title: 'a\u0000b' }, expect: 'reject', field: 'title' },
	{ what: 'lone surrogate escape', body: `{"script": ${JSON.stringify(SCENE)}, "title": "\\ud800", "video": ["local"], "speech": ["espeak"], "iterations": 1}`, expect: 'accept' },
	{ what: 'invalid UTF-8 bytes', body: Buffer.concat([Buffer.from(`{"script": ${JSON.stringify(SCENE).slice(0, -1)}`), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('", "video": ["local"], "speech": ["espeak"], "iterations": 1}')]), expect: 'accept' },
	{ what: 'script of 200 KB + 1', body: { ...BASE, script: `${SCENE}${'x'.repeat(200 * 1024 + 1 - Buffer.byteLength(SCENE))}` }, expect: 'reject', field: 'script' },
	{ what: '51 scenes', body: { ...BASE, script: scenes(51), format: 'fountain' }, expect: 'reject', field: 'script' },
	{ what: 'prototype key', body: `{"script": ${JSON.stringify(SCENE)}, "__proto__": {"admin": true}}`, expect: 'reject', field: '__proto__' },
	{ what: 'constructor key', body: { ...BASE, constructor: { prototype: { x: 1 } } }, expect: 'reject', field: 'constructor' },
	{ what: 'deep nesting', body: `{"script": ${JSON.stringify(SCENE)}, "voiceMap": ${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`, expect: 'reject', field: 'body' },
	{ what: 'threshold 1e400', body: `{"script": ${JSON.stringify(SCENE)}, "threshold": 1e400}`, expect: 'reject', field: 'threshold' },
	{ what: 'priority as text', body: { ...BASE, priority: '5; drop table runs' }, expect: 'reject', field: 'priority' },
	{ what: 'reference to cloud metadata', body: { ...BASE, references: { 1: 'https://169.254.169.254/latest/meta-data/' } }, expect: 'reject', field: 'references' },
	{ what: 'reference to loopback', body: { ...BASE, references: { 1: 'https://127.0.0.1:5432/x.png' } }, expect: 'reject', field: 'references' },
	{ what: 'reference to a private address', body: { ...BASE, references: { 1: 'https://192.168.1.10/x.png' } }, expect: 'reject', field: 'references' },
	{ what: 'reference to metadata by name', body: { ...BASE, references: { 1: 'https://metadata.google.internal/x' } }, expect: 'reject', field: 'references' },
	{ what: 'reference with file:', body: { ...BASE, references: { 1: 'file:///etc/passwd' } }, expect: 'reject', field: 'references' },
	{ what: 'reference with javascript:', body: { ...BASE, references: { 1: 'javascript:alert(1)' } }, expect: 'reject', field: 'references' },
	{ what: 'data URI over 5 MB', body: { ...BASE, references: { 1: `data:image/png;base64,${'A'.repeat(5 * 1024 * 1024 + 4)}` } }, expect: 'reject', field: 'references' },
	{ what: 'voice named like an option', body: { ...BASE, voiceMap: { ALICE: '--help' } }, expect: 'reject', field: 'voiceMap.ALICE' },
	{ what: 'voice named -v', body: { ...BASE, voiceMap: { ALICE: '-v' } }, expect: 'reject', field: 'voiceMap.ALICE' },
	{ what: 'voice as a path', body: { ...BASE, voiceMap: { ALICE: '../../etc/passwd' } }, expect: 'reject', field: 'voiceMap.ALICE' },
	{ what: 'ffmpeg filter text', body: { ...BASE, script: "INT. LAB - DAY\n\nA sign reads: 10:30 [in] %{pts} ;drawtext='x' \\ done.\n\nALICE\nIt's 50% done: [out] ; 'quoted' \\n\n" }, expect: 'accept' },
	{ what: 'SQL-looking text', body: { ...BASE, title: "Robert'); DROP TABLE runs;--", campaign: "x' or '1'='1" }, expect: 'accept' },
	{ what: 'right-to-left and zero-width text', body: { ...BASE, script: 'INT. SOUK - DAY\n\nالسوق مزدحم\u200B اليوم.\n\nALICE\nHello\u202E dlrow\u202C and\u200Dmore.\n' }, expect: 'accept' },
	{ what: 'emoji', body: { ...BASE, script: 'INT. PARTY - NIGHT\n\nBalloons 🎈🎉 everywhere.\n\nALICE\nHappy birthday 🎂👩‍👩‍👧!\n' }, expect: 'accept' },
];

export async function hostileInput(env: SuiteEnv, options: { seed: number; fuzz: number; log: (line: string) => void }): Promise<Row> {
	const row = newRow('R3 hostile input', '4xx naming the field or a finished run; 0 × 5xx; 0 partial writes; n8n up', false);
	const cases: Case[] = [...CORPUS];
	const samples = fc.sample(mutatedRequest, { seed: options.seed, numRuns: options.fuzz });
	samples.forEach(({ field, value, extra }, index) => {
		const body: Record<string, unknown> = { ...BASE, ...extra };
		Object.defineProperty(body, field, { value, enumerable: true, configurable: true, writable: true });
		const text = JSON.stringify(body);
		if (text !== undefined) cases.push({ what: `fuzz #${index + 1} (${field.slice(0, 20)})`, body: text, expect: 'accept' });
	});
	const accepted: Array<{ what: string; runId: string }> = [];
	for (const c of cases) {
		row.trials += 1;
		const before = await counts(env);
		const answer = await post(env, 'reelsmith/runs', c.body).catch((error: Error) => ({ status: 0, json: { raw: error.message } as Record<string, unknown> }));
		if (answer.status >= 500 || answer.status === 0) {
			row.serverErrors += 1;
			row.problems.push(`${c.what}: ${answer.status} ${JSON.stringify(answer.json).slice(0, 160)}`);
			continue;
		}
		if (answer.status === 202) {
			if (c.expect === 'reject') row.problems.push(`${c.what}: accepted (202), expected a 4xx naming ${c.field}`);
			accepted.push({ what: c.what, runId: String(answer.json.runId) });
			continue;
		}
		// A refusal: names a field, says what to do, and wrote nothing.
		// A field with an empty name is named as "" (the message quotes it).
		const field = String(answer.json.field ?? '');
		if (answer.json.field === undefined || String(answer.json.message ?? '').length < 15) row.problems.push(`${c.what}: ${answer.status} without a field or message: ${JSON.stringify(answer.json).slice(0, 160)}`);
		else if (c.expect === 'reject' && c.field && field !== c.field) row.problems.push(`${c.what}: names "${field}", expected "${c.field}"`);
		else if (c.expect === 'accept' && !c.what.startsWith('fuzz')) row.problems.push(`${c.what}: refused (${field}: ${answer.json.message}), expected to be accepted`);
		const after = await counts(env);
		if (after !== before) row.partialWrites += 1;
		else row.completed += 1;
	}
	options.log(`[reliability] R3: ${cases.length} requests sent, ${accepted.length} accepted; following those runs …`);
	for (const run of accepted) {
		const end = await waitTerminal(env, run.runId, 6 * 60_000);
		if (!end) row.stuck += 1;
		else if (end.status === 'completed') row.completed += 1;
		else if (end.error && String(end.error).length > 15) {
			row.failedReadable += 1;
			row.problems.push(`${run.what}: accepted, then ${end.status}: ${String(end.error).slice(0, 200)}`);
		} else row.problems.push(`${run.what}: ${end.status} without a readable message`);
	}
	await resumeHostile(env, options, row);
	if (!(await n8nUp(env))) row.problems.push('n8n does not answer its health check after the hostile requests');
	await dashboardHostile(env, options, row);
	return row;
}

/** Runs and campaigns: what a refused run request could have left behind. */
async function counts(env: SuiteEnv): Promise<string> {
	const { rows } = await env.db.query('select (select count(*) from runs) as runs, (select count(*) from campaigns) as campaigns, (select count(*) from users) as users');
	return JSON.stringify(rows[0]);
}

/** The dashboard's state-changing routes with the same hostile values: a 4xx naming the field, nothing written. */
async function dashboardHostile(env: SuiteEnv, options: { seed: number; fuzz: number }, row: Row): Promise<void> {
	const base = env.dashboard.url;
	const login = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@reliability.test', password: 'reliability-admin-1' }) });
	const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
	if (!cookie) {
		row.problems.push(`the admin could not log in to the dashboard (${login.status})`);
		return;
	}
	const values = fc.sample(fc.record({ field: fc.constantFrom('email', 'password', 'name', 'role', 'campaignIds', 'budgetUsd'), value: fc.anything() }), {
		seed: options.seed + 5,
		numRuns: options.fuzz,
	});
	const routes = [
		{ path: '/api/login', base: { email: 'x@example.com', password: 'not-the-password' }, auth: false },
		{ path: '/api/users', base: { email: 'new@example.com', password: 'long-enough-1', role: 'manager' }, auth: true },
		{ path: '/api/campaigns', base: { name: 'Hostile campaign', budgetUsd: 10 }, auth: true },
	];
	let n = 0;
	for (const { field, value } of values) {
		const route = routes[n++ % routes.length];
		const body = { ...route.base, [field]: value };
		row.trials += 1;
		const before = await counts(env);
		const response = await fetch(`${base}${route.path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...(route.auth ? { cookie } : {}), origin: base },
			body: JSON.stringify(body) ?? '{}',
		});
		const text = await response.text();
		if (response.status >= 500) {
			row.serverErrors += 1;
			row.problems.push(`dashboard ${route.path} ${field}=${JSON.stringify(value)?.slice(0, 60)}: ${response.status} ${text.slice(0, 120)}`);
			continue;
		}
		if (response.status < 300) {
			// Accepted: undo it so the next request starts from the same state.
			await env.db.query("delete from users where email = 'new@example.com'");
			await env.db.query("delete from campaigns where name like 'Hostile campaign%' and not exists (select 1 from runs where campaign_id = campaigns.id)");
			row.completed += 1;
			continue;
		}
		if ((await counts(env)) !== before) row.partialWrites += 1;
		if (response.status === 400 && !/"field"/.test(text)) row.problems.push(`dashboard ${route.path}: 400 without a field: ${text.slice(0, 120)}`);
		row.completed += 1;
	}
}

/** The resume webhook with hostile run ids: a 4xx naming runId or the body, never a 5xx, nothing written. */
async function resumeHostile(env: SuiteEnv, options: { seed: number; fuzz: number }, row: Row): Promise<void> {
	const bodies: unknown[] = [
		'{"runId": ',
		'[]',
		{ runId: 42 },
		{ runId: null },
		{ runId: '../../etc/passwd' },
		{ runId: '00000000-0000-4000-8000-000000000000' },
		{ runId: 'a\u0000b' },
		{ runId: 'x'.repeat(100_000) },
		`{"runId": ${'['.repeat(3000)}${']'.repeat(3000)}}`,
		...fc.sample(fc.anything(), { seed: options.seed + 9, numRuns: Math.ceil(options.fuzz / 3) }).map((runId) => JSON.stringify({ runId }) ?? '{}'),
	];
	for (const body of bodies) {
		row.trials += 1;
		const before = await counts(env);
		const answer = await post(env, 'reelsmith/resume', body).catch((error: Error) => ({ status: 0, json: { raw: error.message } as Record<string, unknown> }));
		const shown = (typeof body === 'string' ? body : JSON.stringify(body)).slice(0, 60);
		if (answer.status >= 500 || answer.status === 0) {
			row.serverErrors += 1;
			row.problems.push(`resume ${shown}: ${answer.status} ${JSON.stringify(answer.json).slice(0, 160)}`);
		} else if (answer.status < 400 || !answer.json.field) {
			row.problems.push(`resume ${shown}: ${answer.status} ${JSON.stringify(answer.json).slice(0, 160)}, expected a 4xx naming the field`);
		} else if ((await counts(env)) !== before) row.partialWrites += 1;
		else row.completed += 1;
	}
}
