-- Paid providers (task ledger, costs, budgets), storyboard approval and cancellation, and dashboard accounts.

-- Budgets in US dollars; null = no cap. A run is stopped before a paid call that would take its spend (or its
-- campaign's) past the cap.
alter table campaigns add column budget_usd numeric check (budget_usd is null or budget_usd >= 0);
alter table runs add column budget_usd numeric check (budget_usd is null or budget_usd >= 0);

-- A run started with approval required waits after planning until someone approves or rejects its storyboard.
alter table runs drop constraint runs_status_check;
alter table runs add constraint runs_status_check
	check (status in ('queued', 'starting', 'running', 'awaiting_approval', 'completed', 'failed', 'cancelled'));
alter table runs
	-- null = no approval asked; pending | approved | rejected
	add column approval text check (approval is null or approval in ('pending', 'approved', 'rejected')),
	-- the n8n Wait node's resume URL ($execution.resumeUrl); only the dashboard API calls it
	add column approval_url text,
	add column approval_note text,
	add column approval_by text,
	add column approval_at timestamptz,
	-- when someone asked to cancel; the pipeline stops at its next step
	add column cancel_requested_at timestamptz;

-- Never pay twice: every task a paid video provider accepted, written before the first poll. A resumed or retried
-- scene polls its open task (submitted) instead of submitting again.
create table provider_tasks (
	id uuid primary key default gen_random_uuid(),
	run_id uuid references runs (id) on delete cascade,
	scene_number int,
	provider text not null,
	model text,
	task_id text not null,
	-- submitted (accepted, not yet fetched) | fetched (clip stored) | failed | cancelled
	status text not null default 'submitted' check (status in ('submitted', 'fetched', 'failed', 'cancelled')),
	-- what was asked (prompt, duration, size), so a resumed poll can fetch and normalise the clip
	request jsonb,
	clip_key text,
	error text,
	seconds numeric,
	cost_usd numeric,
	submitted_at timestamptz not null default clock_timestamp(),
	finished_at timestamptz,
	unique (provider, task_id)
);
create index provider_tasks_open_idx on provider_tasks (run_id, scene_number, provider) where status = 'submitted';
-- the concurrency limit counts open tasks per provider
create index provider_tasks_provider_open_idx on provider_tasks (provider) where status = 'submitted';

-- What a cost line was for (plan, critique, refine, videoPrompts, checkFrame, metadata, clip, speech) and the
-- provider's task id when there is one.
alter table costs add column purpose text, add column task_id text;

-- Which provider served each scene and what it cost.
alter table scenes add column task_id text, add column cost_usd numeric;

-- Dashboard accounts. Passwords are stored as scrypt hashes with a per-user salt: scrypt$N$r$p$salt$hash (base64).
create table users (
	id uuid primary key default gen_random_uuid(),
	email text not null unique check (email = lower(email) and length(email) between 3 and 320),
	name text,
	password_hash text not null,
	-- admin sees every campaign and manages users; manager sees the campaigns they are a member of
	role text not null default 'manager' check (role in ('admin', 'manager')),
	created_at timestamptz not null default now(),
	last_login_at timestamptz
);

create table campaign_members (
	campaign_id uuid not null references campaigns (id) on delete cascade,
	user_id uuid not null references users (id) on delete cascade,
	primary key (campaign_id, user_id)
);

-- Sessions: the cookie holds a random token; only its sha256 is stored.
create table sessions (
	token_hash text primary key,
	user_id uuid not null references users (id) on delete cascade,
	created_at timestamptz not null default now(),
	expires_at timestamptz not null,
	last_seen_at timestamptz not null default now()
);
create index sessions_user_idx on sessions (user_id);

-- Failed logins per email and per client address, for the login rate limit (kept in Postgres so it holds across
-- several API processes).
create table login_attempts (
	id bigserial primary key,
	email text,
	address text,
	at timestamptz not null default now()
);
create index login_attempts_email_idx on login_attempts (email, at);
create index login_attempts_address_idx on login_attempts (address, at);

-- Dashboard queries: runs of a campaign newest first, runs over time for analytics.
create index runs_campaign_created_idx on runs (campaign_id, created_at desc);
create index runs_created_idx on runs (created_at);
create index events_stage_idx on events (stage, status, created_at);
