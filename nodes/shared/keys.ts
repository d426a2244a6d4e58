/**
 * Object key layout in the artifacts bucket. Every artifact of a run lives under runs/<runId>/,
 * so a run can be listed, copied or deleted as one prefix.
 *
 *   runs/<runId>/plan/v<version>.json                plan version (and its critique)
 *   runs/<runId>/scenes/<NNN>/clip.mp4               silent clip from the video provider
 *   runs/<runId>/scenes/<NNN>/lines/<MM>.wav         one narration file per dialogue line
 *   runs/<runId>/scenes/<NNN>/narration.wav          the scene's narration track (lines + gaps)
 *   runs/<runId>/scenes/<NNN>/scene.mp4              clip + narration, the unit assembly concatenates
 *   runs/<runId>/final/<preset>.mp4                  the finished video
 *   runs/<runId>/final/subtitles.srt                 subtitles built from the dialogue timing
 *   runs/<runId>/final/thumbnail.jpg                 thumbnail
 *   runs/<runId>/work/<name>                         intermediate assembly files
 */
const pad = (n: number, width: number) => String(n).padStart(width, '0');

export const runPrefix = (runId: string) => `runs/${runId}/`;
export const planKey = (runId: string, version: number) => `runs/${runId}/plan/v${version}.json`;
export const scenePrefix = (runId: string, scene: number) => `runs/${runId}/scenes/${pad(scene, 3)}/`;
export const clipKey = (runId: string, scene: number) => `${scenePrefix(runId, scene)}clip.mp4`;
export const lineKey = (runId: string, scene: number, line: number) =>
	`${scenePrefix(runId, scene)}lines/${pad(line, 2)}.wav`;
export const narrationKey = (runId: string, scene: number) => `${scenePrefix(runId, scene)}narration.wav`;
export const sceneVideoKey = (runId: string, scene: number) => `${scenePrefix(runId, scene)}scene.mp4`;
export const finalKey = (runId: string, preset: string) => `runs/${runId}/final/${preset}.mp4`;
export const subtitlesKey = (runId: string) => `runs/${runId}/final/subtitles.srt`;
export const thumbnailKey = (runId: string) => `runs/${runId}/final/thumbnail.jpg`;
export const workKey = (runId: string, name: string) => `runs/${runId}/work/${name}`;
