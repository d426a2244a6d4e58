-- Issue 11, parts 5 and 6: every request to a paid provider, and who did what in the dashboard.

-- One row per HTTP request to Claude, Kling, Runway, ElevenLabs or Google (retries are rows of their own), written by
-- the shared HTTP layer (nodes/shared/store/aiCalls.ts). Secrets and media bytes never reach it: no headers, signed
-- URLs without their query values, base64 payloads replaced by their length.
create table ai_calls (
	id bigserial primary key,
	run_id uuid not null references runs (id) on delete cascade,
	scene_number int,
	-- anthropic | kling | runway | elevenlabs | google (the names of costs.provider)
	provider text not null,
	-- plan, critique, checkFrame… (Claude: the operation); submit, poll, lookup, cancel, download; synthesize, voices
	purpose text not null,
	model text,
	method text not null,
	url text not null,
	request jsonb,
	response jsonb,
	-- one line: the answer, the task status, the refusal
	summary text,
	units numeric,
	unit text,
	-- the provider's task id (video submit/poll): the clip's cost line finds its submit by it
	task_id text,
	-- set only by Ledger.recordCost, from the cost line itself: sum(cost_usd) over a run = runs.cost_total
	cost_usd numeric,
	latency_ms int not null,
	-- HTTP status; 0 = no answer (network, timeout)
	status int not null,
	ok boolean not null,
	error text,
	created_at timestamptz not null default clock_timestamp()
);
create index ai_calls_run_idx on ai_calls (run_id, created_at);
create index ai_calls_task_idx on ai_calls (provider, task_id) where task_id is not null;
-- /metrics aggregates by provider at every scrape.
create index ai_calls_provider_idx on ai_calls (provider, purpose, ok);

-- The audit trail: one row per change a person made (approve, reject, cancel, retry, resume, campaign and budget
-- edits, users and keys), with the state before and after. Written by ui/server/audit.ts only.
create table audit_log (
	id bigserial primary key,
	at timestamptz not null default clock_timestamp(),
	-- null for changes nobody logged in made (a first admin from the environment)
	user_id uuid references users (id) on delete set null,
	-- the email at the time, kept when the user is deleted
	actor text not null,
	action text not null,
	-- run | campaign | user | key
	subject_type text not null,
	subject_id text,
	before jsonb,
	after jsonb
);
create index audit_log_at_idx on audit_log (at desc);
create index audit_log_subject_idx on audit_log (subject_type, subject_id, at desc);
