-- Issue 12 ("probe once"): what a scene video is (streams, codecs, size: MediaRef.media, as Mux learned it when it
-- wrote the file), kept beside its key, so the assembly input gives complete references and Join scenes runs no
-- ffprobe for them. Null for scenes saved before this column, or without it: those are probed as before.
alter table scenes add column scene_media jsonb;
