-- Issue 11 part 5 ("every call is kept") meets issue 13's voice previews and voice lists: those calls to ElevenLabs and
-- Google belong to no run, so an AI call's run is optional. Rows without a run are a preview's or a voice list's.
alter table ai_calls alter column run_id drop not null;
