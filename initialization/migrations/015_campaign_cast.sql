-- Issue 13 §1, the campaign's cast: characters (look, reference images, voice, aliases) and settings (recurring
-- places) that every run of the campaign is matched against, so a character looks and sounds the same in every video.
-- Every save is a new version (nothing is overwritten); a run records the version its plan was given.
create table campaign_cast_versions (
	campaign_id uuid not null references campaigns (id) on delete cascade,
	version int not null check (version >= 1),
	-- { characters: [...], settings: [...] } as nodes/Campaign/lib/cast.ts checks it
	"cast" jsonb not null,
	-- the email of who saved it, or 'n8n'
	created_by text,
	created_at timestamptz not null default now(),
	primary key (campaign_id, version)
);

alter table runs add column cast_version int;
