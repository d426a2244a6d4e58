-- Reelsmith store: a campaign groups runs; a run turns one script into one video.
-- Files live in object storage; these tables hold state and the keys pointing at the files.

create table campaigns (
	id uuid primary key default gen_random_uuid(),
	name text not null unique check (length(name) between 1 and 200),
	created_at timestamptz not null default now(),
	updated_at timestamptz not null default now()
);

create table runs (
	id uuid primary key default gen_random_uuid(),
	campaign_id uuid not null references campaigns (id),
	status text not null default 'queued'
		check (status in ('queued', 'starting', 'running', 'completed', 'failed', 'cancelled')),
	-- planning | refinement | generation | validation | assembly (free text so new stages need no migration)
	stage text,
	priority int not null default 0 check (priority between -100 and 100),
	-- clock_timestamp, not now(): arrival order must hold between runs accepted in one transaction too
	queued_at timestamptz not null default clock_timestamp(),
	started_at timestamptz,
	finished_at timestamptz,
	-- what was posted: script, title, format, campaign, sceneCount, targetDuration
	request jsonb not null,
	-- validated RunOptions (preset, style, iterations, …) that every stage reads
	options jsonb not null,
	execution_id text,
	error text,
	final_key text,
	thumbnail_key text,
	subtitles_key text,
	duration numeric,
	cost_estimate numeric,
	cost_total numeric,
	created_at timestamptz not null default now(),
	updated_at timestamptz not null default now()
);
-- The dispatcher's question: the next queued runs by priority, then arrival.
create index runs_queue_idx on runs (status, priority desc, queued_at);
create index runs_campaign_idx on runs (campaign_id);
-- The error workflow finds a run by the n8n execution that was running it.
create index runs_execution_idx on runs (execution_id) where execution_id is not null;

create table scenes (
	id uuid primary key default gen_random_uuid(),
	run_id uuid not null references runs (id) on delete cascade,
	number int not null check (number >= 1),
	status text not null default 'pending' check (status in ('pending', 'generating', 'completed', 'failed')),
	heading text,
	duration numeric,
	clip_key text,
	narration_key text,
	scene_key text,
	-- narration line timings relative to the scene start: [{ speaker, text, start, end, key?, voice? }]
	narration jsonb,
	attempts int not null default 0,
	provider text,
	error text,
	started_at timestamptz,
	finished_at timestamptz,
	created_at timestamptz not null default now(),
	updated_at timestamptz not null default now(),
	-- also the index for "scenes of a run in order"
	unique (run_id, number)
);

create table plan_versions (
	id uuid primary key default gen_random_uuid(),
	run_id uuid not null references runs (id) on delete cascade,
	version int not null check (version >= 1),
	parent_version int,
	score int check (score between 0 and 100),
	critique jsonb,
	plan jsonb not null,
	plan_key text,
	-- parse | refine | claude | manual
	source text,
	changes jsonb,
	created_at timestamptz not null default now(),
	unique (run_id, version)
);

create table assets (
	id uuid primary key default gen_random_uuid(),
	run_id uuid not null references runs (id) on delete cascade,
	scene_number int,
	kind text not null
		check (kind in ('plan', 'clip', 'line', 'narration', 'scene', 'final', 'subtitles', 'thumbnail', 'work')),
	bucket text not null,
	key text not null,
	bytes bigint,
	content_type text,
	duration numeric,
	created_at timestamptz not null default now(),
	unique (bucket, key)
);
create index assets_run_idx on assets (run_id);

create table events (
	id bigserial primary key,
	run_id uuid not null references runs (id) on delete cascade,
	scene_number int,
	stage text not null,
	status text not null check (status in ('queued', 'started', 'finished', 'failed', 'info')),
	message text,
	duration_ms bigint,
	data jsonb,
	-- clock_timestamp: several events written in one transaction keep their order and real timing
	created_at timestamptz not null default clock_timestamp()
);
create index events_run_idx on events (run_id, created_at);

create table costs (
	id uuid primary key default gen_random_uuid(),
	run_id uuid not null references runs (id) on delete cascade,
	scene_number int,
	provider text not null,
	model text,
	units numeric,
	unit text,
	amount_usd numeric,
	created_at timestamptz not null default now()
);
create index costs_run_idx on costs (run_id);

-- updated_at follows every update without each query having to remember it.
create function reelsmith_set_updated_at() returns trigger language plpgsql as $$
begin
	new.updated_at := now();
	return new;
end $$;

create trigger campaigns_updated_at before update on campaigns
	for each row execute function reelsmith_set_updated_at();
create trigger runs_updated_at before update on runs
	for each row execute function reelsmith_set_updated_at();
create trigger scenes_updated_at before update on scenes
	for each row execute function reelsmith_set_updated_at();

-- Live updates for the dashboard: LISTEN reelsmith_events. Payloads stay small (ids and statuses, never messages)
-- because NOTIFY payloads are limited to 8000 bytes; listeners read the rest from the tables.
create function reelsmith_notify() returns trigger language plpgsql as $$
declare
	payload jsonb;
begin
	if tg_table_name = 'events' then
		payload := jsonb_build_object('type', 'event', 'id', new.id, 'runId', new.run_id, 'sceneNumber', new.scene_number,
			'stage', new.stage, 'status', new.status);
	elsif tg_table_name = 'runs' then
		payload := jsonb_build_object('type', 'run', 'runId', new.id, 'status', new.status, 'stage', new.stage);
	else
		payload := jsonb_build_object('type', 'scene', 'runId', new.run_id, 'sceneNumber', new.number, 'status', new.status);
	end if;
	perform pg_notify('reelsmith_events', payload::text);
	return null;
end $$;

create trigger events_notify after insert on events
	for each row execute function reelsmith_notify();
create trigger runs_notify_insert after insert on runs
	for each row execute function reelsmith_notify();
create trigger runs_notify_update after update of status, stage on runs
	for each row when (old.status is distinct from new.status or old.stage is distinct from new.stage)
	execute function reelsmith_notify();
create trigger scenes_notify_insert after insert on scenes
	for each row execute function reelsmith_notify();
create trigger scenes_notify_update after update of status on scenes
	for each row when (old.status is distinct from new.status)
	execute function reelsmith_notify();
