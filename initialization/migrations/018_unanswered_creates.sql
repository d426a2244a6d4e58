-- A create whose answer never came (a timeout, a reset, a body cut off), at a provider that cannot be asked for a
-- task by our key (Runway): the provider may have made the task and charged for it, and nobody can find it again.
-- The intent becomes "unanswered": it stops holding a provider slot at once (it no longer waits out the 15-minute
-- submit window, which kept the other scenes from a slot), and while finished_at is null the scene is not sent to
-- that provider again by itself. A resume (a person's decision) sets finished_at, and the scene may be sent again.
alter table provider_tasks drop constraint provider_tasks_status_check;
alter table provider_tasks add constraint provider_tasks_status_check
	check (status in ('submitting', 'submitted', 'fetched', 'failed', 'cancelled', 'unanswered'));
