-- Run options, approval and cancel as the pipeline records them.

-- Who asked to cancel (the dashboard API sets it with cancel_requested_at); the run's error then says
-- "Cancelled by <who> at <stage>".
alter table runs add column cancel_requested_by text;

-- Every provider a scene's last generation tried, in order: [{ provider, outcome: served|skipped|down|failed,
-- message? }] (scenes.attempts stays the number of generation attempts).
alter table scenes add column provider_attempts jsonb;
