-- Issue 13 §2: what paid voice previews cost. A preview belongs to no run; one made for a campaign counts against the
-- campaign's budget (the ledger's budget checks, spending() and the dashboard's spend add these rows). A row is
-- written, under the campaign's budget lock, before the provider is called; a cached preview writes none.
create table preview_costs (
	id uuid primary key default gen_random_uuid(),
	-- null: a preview made for no campaign (still kept, so every paid call has its cost somewhere)
	campaign_id uuid references campaigns (id) on delete cascade,
	provider text not null,
	voice text not null,
	characters int not null check (characters >= 0),
	cost_usd numeric not null check (cost_usd >= 0),
	created_at timestamptz not null default now()
);
create index preview_costs_campaign_idx on preview_costs (campaign_id) where campaign_id is not null;
