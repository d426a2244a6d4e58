-- Liveness of runs (queue mode, crashes). The process working on a starting or running run holds a lease on it and
-- renews it while it works; the watchdog workflow puts a run whose lease expired (its worker or n8n died) back in the
-- queue, and the dispatcher resumes it from its completed scenes. Resume refuses a run whose lease is still live.

-- Who holds the lease: "<n8n execution id>@<host>:<pid>" of the process working on the run (null: nobody).
alter table runs add column lease_owner text;
-- Until when the run counts as alive without another renewal.
alter table runs add column lease_expires_at timestamptz;
-- How many times the watchdog recovered this run after its lease expired.
alter table runs add column recoveries int not null default 0;

-- The watchdog's question, "which slot-holding runs have an expired lease?", from the index alone.
create index runs_lease_idx on runs (lease_expires_at) where status in ('starting', 'running');
