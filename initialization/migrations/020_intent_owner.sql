-- A create intent ("submitting") held its provider's slot for the whole 15-minute submit window, even when the n8n
-- process that wrote it had died: the recovered run waited for a slot its own dead execution held. The intent now
-- names the lease owner of its run when it was written; once the run's lease is no longer that owner's and live
-- (it expired, or recovery handed the run to another execution), the intent holds no slot. An intent without an
-- owner (a run without a lease) keeps the submit window.
alter table provider_tasks add column lease_owner text;
-- A person resumed the run after the execution that wrote this intent stopped: a provider that cannot be asked for a
-- task by our key (Runway) may be sent the scene again (that may pay twice). Without it, such an intent is handled
-- like an unanswered create: the scene is not sent there again by itself.
alter table provider_tasks add column released_at timestamptz;
