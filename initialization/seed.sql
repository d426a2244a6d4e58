-- One sample campaign, the default for webhook requests that name none. Safe to run on every start.
insert into campaigns (name) values ('Sample campaign') on conflict (name) do nothing;
