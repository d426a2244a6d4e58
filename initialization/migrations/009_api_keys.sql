-- Dashboard API keys for other apps, and disabling users (ui/server/apiKeys.ts, ui/server/auth.ts).

-- A disabled user cannot log in; their sessions are deleted and their API keys refused at once.
alter table users add column disabled_at timestamptz;

-- A key is a random 256-bit token shown once; only its sha256 is stored (a token that random needs no slow hash).
-- It acts for the admin who made it, but only within its campaigns.
create table api_keys (
	id uuid primary key default gen_random_uuid(),
	name text not null check (length(name) between 1 and 200),
	token_hash text not null unique,
	-- The token's first characters, shown in the list so a person can tell keys apart.
	prefix text not null,
	user_id uuid not null references users (id) on delete cascade,
	created_at timestamptz not null default now(),
	last_used_at timestamptz,
	revoked_at timestamptz
);
create index api_keys_user_idx on api_keys (user_id);

create table api_key_campaigns (
	key_id uuid not null references api_keys (id) on delete cascade,
	campaign_id uuid not null references campaigns (id) on delete cascade,
	primary key (key_id, campaign_id)
);
