-- The storyboard on the approval screen: one still per scene of each take's plan version, drawn by the local renderer
-- (Campaign → Draw Storyboard before the approval wait, the dashboard again when a scene is edited). A still that
-- could not be drawn is a row too, with why, so the screen can say it; a run never waits or fails for a still.
-- A scene an edit left alone keeps the drawing of the version it was drawn for (still_key points there).
create table storyboard_stills (
	run_id uuid not null references runs (id) on delete cascade,
	version int not null,
	scene_number int not null,
	status text not null check (status in ('drawn', 'failed')),
	-- Who drew it: 'local' (the local renderer); an image model would put its name here.
	painter text not null default 'local',
	still_key text,
	-- Why there is no still (status failed).
	error text,
	-- The video prompt the run's first paid video provider would get for this scene (Kling or Runway).
	prompt text,
	created_at timestamptz not null default now(),
	primary key (run_id, version, scene_number)
);
