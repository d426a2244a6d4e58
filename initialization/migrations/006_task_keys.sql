-- Paying for a clip exactly once, even when the process dies between the provider accepting a task and the ledger
-- hearing of it. Before a submit, the ledger writes the scene's intent with a key of ours ("submitting"); the key goes
-- with the request (Kling's external_task_id). A later execution that finds the intent asks the provider for the task
-- with that key and adopts it instead of submitting again; only a provider without such a lookup can be paid twice.

-- Our key for the task: "rs-<run id>-<scene>-<n>", the n-th task of that scene at that provider.
alter table provider_tasks add column idempotency_key text;
create unique index provider_tasks_key_idx on provider_tasks (provider, idempotency_key) where idempotency_key is not null;

alter table provider_tasks drop constraint provider_tasks_status_check;
alter table provider_tasks add constraint provider_tasks_status_check
	check (status in ('submitting', 'submitted', 'fetched', 'failed', 'cancelled'));
