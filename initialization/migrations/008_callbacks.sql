-- Completion callbacks (README: "Callbacks"). A run request may name a callbackUrl; when the run ends, and with
-- events ["stage"] when each stage finishes, Reelsmith POSTs a signed JSON event there and retries it for a day.
--
-- Deliveries are made by triggers, in the same transaction as the status change or the "finished" event: every way
-- a run ends (the pipeline, the error workflow, a budget stop, a dashboard cancel, an approval timeout, a query by
-- hand) makes one, and a crash cannot lose one. The Send Callbacks step (watchdog, end of the pipeline) sends them.

-- The per-campaign signing secret: generated here, so every campaign has one however it was made. gen_random_uuid()
-- draws from Postgres' strong random source; two of them give 244 random bits. Rotate it from the campaign page.
create function reelsmith_callback_secret() returns text language sql volatile as $$
	select 'whsec_' || replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', '')
$$;
alter table campaigns add column callback_secret text not null default reelsmith_callback_secret();

create table callback_deliveries (
	id uuid primary key default gen_random_uuid(),
	run_id uuid not null references runs (id) on delete cascade,
	-- run.completed | run.failed | run.cancelled | stage.finished
	event text not null,
	url text not null,
	-- the event as it was when it happened; the sender adds a fresh link to the final video to each attempt
	payload jsonb not null,
	status text not null default 'pending' check (status in ('pending', 'delivered', 'undeliverable')),
	attempts int not null default 0,
	next_attempt_at timestamptz not null default now(),
	-- a sender holds the delivery while its request is in flight; another sender (or "send again") skips it until then
	sending_until timestamptz,
	last_error text,
	delivered_at timestamptz,
	created_at timestamptz not null default clock_timestamp(),
	updated_at timestamptz not null default now()
);
-- The senders' question: pending deliveries that are due.
create index callback_deliveries_due_idx on callback_deliveries (next_attempt_at) where status = 'pending';
create index callback_deliveries_run_idx on callback_deliveries (run_id, created_at);
create trigger callback_deliveries_updated_at before update on callback_deliveries
	for each row execute function reelsmith_set_updated_at();

-- Every attempt, automatic or "send again", as the run page shows it.
create table callback_attempts (
	id bigserial primary key,
	delivery_id uuid not null references callback_deliveries (id) on delete cascade,
	attempted_at timestamptz not null default clock_timestamp(),
	-- null when nothing answered (timeout, connection refused, address refused)
	status_code int,
	latency_ms int,
	error text,
	-- who made it: 'sender' (the schedule) or the dashboard user who pressed "send again"
	made_by text not null default 'sender'
);
create index callback_attempts_delivery_idx on callback_attempts (delivery_id, attempted_at);

-- The event body of a run as it is now: what the receiver needs without calling back.
create function reelsmith_callback_run(r runs) returns jsonb language sql stable as $$
	select jsonb_build_object(
		'id', r.id,
		'campaign', (select jsonb_build_object('id', c.id, 'name', c.name) from campaigns c where c.id = r.campaign_id),
		'title', r.request->>'title',
		'status', r.status,
		'stage', r.stage,
		'error', r.error,
		'finalKey', r.final_key,
		'duration', r.duration,
		'costUsd', r.cost_total,
		'startedAt', r.started_at,
		'finishedAt', r.finished_at,
		'failedScenes', coalesce((select jsonb_agg(jsonb_build_object('number', s.number, 'heading', s.heading, 'error', s.error) order by s.number)
		                            from scenes s where s.run_id = r.id and s.status = 'failed'), '[]'::jsonb))
$$;

create function reelsmith_callback_on_run_end() returns trigger language plpgsql as $$
begin
	if coalesce(new.request->>'callbackUrl', '') <> '' then
		insert into callback_deliveries (run_id, event, url, payload)
		values (new.id, 'run.' || new.status, new.request->>'callbackUrl',
		        jsonb_build_object('type', 'run.' || new.status, 'run', reelsmith_callback_run(new)));
	end if;
	return null;
end $$;
create trigger runs_callback_on_end after update of status on runs
	for each row when (new.status is distinct from old.status and new.status in ('completed', 'failed', 'cancelled'))
	execute function reelsmith_callback_on_run_end();

-- A stage is finished when its run-level "finished" event is written (scene-level ones carry a scene number).
create function reelsmith_callback_on_stage() returns trigger language plpgsql as $$
declare
	r runs;
begin
	select * into r from runs where id = new.run_id;
	if coalesce(r.request->>'callbackUrl', '') <> '' and coalesce(r.request->'events', '[]'::jsonb) ? 'stage' then
		insert into callback_deliveries (run_id, event, url, payload)
		values (r.id, 'stage.finished', r.request->>'callbackUrl',
		        jsonb_build_object('type', 'stage.finished', 'stage', new.stage, 'message', new.message,
		                           'durationMs', new.duration_ms, 'run', reelsmith_callback_run(r)));
	end if;
	return null;
end $$;
create trigger events_callback_on_stage after insert on events
	for each row when (new.status = 'finished' and new.scene_number is null and new.stage <> 'run')
	execute function reelsmith_callback_on_stage();
