-- Batches: one request (webhook, dashboard upload or the Campaign node's Create Batch) that queued many runs.
-- The rows it refused are kept with it (row number, field, message), so the batch page can show them later.
create table batches (
	id uuid primary key default gen_random_uuid(),
	campaign_id uuid not null references campaigns (id),
	-- where it came from: json | csv
	source text not null,
	rows_total int not null,
	rejected jsonb not null default '[]',
	-- the last export: the ZIP and its manifest in object storage (keys from nodes/shared/keys.ts)
	export_key text,
	manifest_key text,
	exported_at timestamptz,
	created_at timestamptz not null default now()
);
create index batches_campaign_idx on batches (campaign_id, created_at desc);

-- batch_row: the row of the batch the run came from (1 = the first script), as the answer and the export number it.
alter table runs add column batch_id uuid references batches (id);
alter table runs add column batch_row int;
create index runs_batch_idx on runs (batch_id) where batch_id is not null;
