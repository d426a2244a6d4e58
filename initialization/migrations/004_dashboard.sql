-- Dashboard (ui/server): the indexes its pages need at 10,000s of runs (bench/dashboard.ts measures them).

-- A manager's campaigns (the primary key starts with campaign_id, so "campaigns of user X" needs its own index).
create index campaign_members_user_idx on campaign_members (user_id);

-- Campaign figures (runs per status) and the campaign page's status filter. No updated_at or cost_total in it: those
-- change on every write to a run, and indexing them would make each of those writes update every index of runs.
create index runs_campaign_status_idx on runs (campaign_id, status);

-- Campaign and run pages: scenes done / total per run from the index alone.
create index scenes_run_status_idx on scenes (run_id, status);

-- Spend per run and per scene, and analytics' cost per video by provider: read from the index alone.
create index costs_run_amount_idx on costs (run_id) include (amount_usd, scene_number, provider);

-- Analytics' time per stage: the run-level "finished" events of the runs in view (a third of all events).
create index events_run_finished_idx on events (run_id) include (stage, duration_ms)
	where status = 'finished' and scene_number is null;
