-- A provider slot is held while the provider is working on a task, not while we still have to fetch its clip: a clip
-- whose download broke waits for the next take of its scene (which fetches it without paying again) and meanwhile
-- must not keep another scene from being submitted.

-- When a poll first saw the task finished at the provider (succeeded); null while it renders.
alter table provider_tasks add column rendered_at timestamptz;
