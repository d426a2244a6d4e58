-- Variations: a run may plan several takes of its script. Every plan version says which take it belongs to, and the
-- version the run goes on with (the best-scored take, or the one the manager approved) is marked chosen.

-- 1 for runs that plan one take (and for every version made before takes).
alter table plan_versions add column take int not null default 1 check (take between 1 and 5);
alter table plan_versions add column chosen boolean not null default false;
-- At most one chosen version per run.
create unique index plan_versions_chosen on plan_versions (run_id) where chosen;
