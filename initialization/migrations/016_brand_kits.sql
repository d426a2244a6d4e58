-- Issue 13 §1, the campaign's brand kit: logo, colours and fonts, default preset and style, loudness target. Every save
-- is a new version (the old ones stay, so a run can be read with the kit it was made with); runs.brand_version is
-- the version a run was queued with (null: the campaign had no kit, or the run is older than kits).
create table campaign_brand_versions (
	campaign_id uuid not null references campaigns (id) on delete cascade,
	version int not null check (version > 0),
	-- the kit as nodes/Campaign/lib/brandKit.ts checks it
	kit jsonb not null,
	-- who saved it: a dashboard user (null when the user is gone, or an API key saved it)
	created_by uuid references users (id) on delete set null,
	created_at timestamptz not null default now(),
	primary key (campaign_id, version)
);

alter table runs add column brand_version int;
