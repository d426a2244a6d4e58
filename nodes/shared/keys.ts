/**
 * Object key layout in the artifacts bucket: the one place a key is built. Every artifact of a run lives under
 * runs/<runId>/, so a run can be listed, copied or deleted as one prefix. Nodes derive their keys from the item's
 * run id and scene number through these builders; an Output Key parameter only overrides them.
 *
 *   runs/<runId>/plan/v<version>.json                plan version (and its critique)
 *   runs/<runId>/scenes/<NNN>/clip.mp4               silent clip from the video provider
 *   runs/<runId>/scenes/<NNN>/lines/<MM>.wav         one narration file per dialogue line
 *   runs/<runId>/scenes/<NNN>/narration.wav          the scene's narration track (lines + gaps)
 *   runs/<runId>/scenes/<NNN>/scene.mp4              clip + narration, the unit assembly concatenates
 *   runs/<runId>/scenes/<NNN>/frame-check.jpg        the frame validation shows Claude
 *   runs/<runId>/final/<preset>.mp4                  the finished video
 *   runs/<runId>/final/subtitles.srt                 subtitles built from the dialogue timing
 *   runs/<runId>/final/thumbnail.jpg                 thumbnail
 *   runs/<runId>/final/metadata.json                 title, description and tags for the export
 *   runs/<runId>/final/timeline.otio, timeline.edl   the editor hand-off: the timeline as OpenTimelineIO and CMX 3600
 *   runs/<runId>/media/music-<hash><.ext>            the run's music as downloaded from its URL, named by a hash of
 *                                                    the URL (kept for resumes and for the editor timeline)
 *   runs/<runId>/trailer/v<version>.mp4              the trailer of one plan version (a take as it stands), made on
 *                                                    the approval screen before the full run is paid for
 *   runs/<runId>/storyboard/v<version>/<NNN>.png     the storyboard still of a scene of one plan version (approval
 *                                                    screen); an edit draws the edited scene under its new version
 *   runs/<runId>/work/<name>                         intermediate files: joined.mp4, music.mp4, loudness.mp4,
 *                                                    subtitled.mp4, watermarked.mp4, speech-<i>.wav, uploads
 *   batches/<batchId>/export.zip                     a batch's export: every final MP4 with its SRT, thumbnail, JSON
 *   batches/<batchId>/manifest.json                  what the export holds, with presigned links
 *   brand/<campaignId>/logo-<hash>.png|jpg           a campaign's brand kit logo, named by its content (outside runs/,
 *                                                    so a kit may point at it)
 *   brand/<campaignId>/fitted/<intro|outro>-<hash>.mp4 a brand kit's intro or outro fitted to a run's format, keyed by
 *                                                    a hash of the clip, its size, the kit version and the format
 *   voice-previews/<provider>/<hash>.wav, .json      a voice preview and its facts, keyed by a hash of provider,
 *                                                    model, voice, settings and text (the cache: same hash, same audio)
 *   campaigns/<campaignId>/cast/<id>.<png|jpg|webp>  a reference image of the campaign's cast (a character, a setting)
 *   campaigns/<campaignId>/media/<kind>/<id>.<ext>   a file a manager uploaded for the campaign's runs (kind: clip,
 *                                                    still, voiceOver, music), named in sceneMedia or music by key
 */
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The folder every run's artifacts live under (across campaigns). */
export const RUNS_ROOT = 'runs/';
export const runPrefix = (runId: string) => `${RUNS_ROOT}${runId}/`;
/** Whether a key lies among the runs' artifacts (what a request may not point at as its own media). */
export const isRunArtifactKey = (key: string) => key.startsWith(RUNS_ROOT);
export const planKey = (runId: string, version: number) => `${runPrefix(runId)}plan/v${version}.json`;

export const scenePrefix = (runId: string, scene: number) => `${runPrefix(runId)}scenes/${pad(scene, 3)}/`;
export const clipKey = (runId: string, scene: number) => `${scenePrefix(runId, scene)}clip.mp4`;
/** Narration files inside a scene folder: the run's own (scenePrefix) or one the operator chose. */
export const lineKeyIn = (sceneFolder: string, line: number) => `${sceneFolder}lines/${pad(line, 2)}.wav`;
export const narrationKeyIn = (sceneFolder: string) => `${sceneFolder}narration.wav`;
export const lineKey = (runId: string, scene: number, line: number) => lineKeyIn(scenePrefix(runId, scene), line);
export const narrationKey = (runId: string, scene: number) => narrationKeyIn(scenePrefix(runId, scene));
export const sceneVideoKey = (runId: string, scene: number) => `${scenePrefix(runId, scene)}scene.mp4`;
export const frameCheckKey = (runId: string, scene: number) => `${scenePrefix(runId, scene)}frame-check.jpg`;
/** A terminal scene's clip with a transparent screen (FFmpeg Export With Alpha): ProRes 4444 .mov or VP9 .webm. */
export const clipAlphaKey = (runId: string, scene: number, ext: 'mov' | 'webm') => `${scenePrefix(runId, scene)}clip-alpha.${ext}`;

export const finalKey = (runId: string, preset: string) => `${runPrefix(runId)}final/${preset}.mp4`;
export const subtitlesKey = (runId: string) => `${runPrefix(runId)}final/subtitles.srt`;
export const thumbnailKey = (runId: string) => `${runPrefix(runId)}final/thumbnail.jpg`;
export const metadataKey = (runId: string) => `${runPrefix(runId)}final/metadata.json`;
/** The editor hand-off (FFmpeg → Export Timeline): `otio` or `edl`. */
export const timelineKey = (runId: string, format: 'otio' | 'edl') => `${runPrefix(runId)}final/timeline.${format}`;

/** A scene's storyboard still in one plan version: its own key per version, so an edited scene gets a new picture. */
export const storyboardStillKey = (runId: string, version: number, scene: number) => `${runPrefix(runId)}storyboard/v${version}/${pad(scene, 3)}.png`;

export const workKey = (runId: string, name: string) => `${runPrefix(runId)}work/${name}`;
/** The trailer of one plan version: its own key per version, so an edited take gets a new trailer. */
export const trailerKey = (runId: string, version: number) => `${runPrefix(runId)}trailer/v${version}.mp4`;

/** The scenes concatenated, before loudness and subtitles. */
export const joinedKey = (runId: string) => workKey(runId, 'joined.mp4');
/** The joined scenes with the run's music bed under the narration. */
export const musicMixKey = (runId: string) => workKey(runId, 'music.mp4');
/**
 * The run's music as downloaded from its URL, so a resume mixes the same file after the link has expired and the
 * editor timeline can point at it. The extension is the URL's when it names an audio type (editors go by it).
 */
export const musicSourceKey = (runId: string, urlHash: string, ext: string) =>
	`${runPrefix(runId)}media/music-${urlHash}${/^\.[a-z0-9]{1,5}$/.test(ext) ? ext : ''}`;
export const loudnessKey = (runId: string) => workKey(runId, 'loudness.mp4');
export const subtitledKey = (runId: string) => workKey(runId, 'subtitled.mp4');
export const watermarkedKey = (runId: string) => workKey(runId, 'watermarked.mp4');
/** Text to Speech → Synthesize: one WAV per item of the execution. */
export const speechKey = (runId: string, itemIndex: number) => workKey(runId, `speech-${itemIndex}.wav`);

/** A batch's own objects (its runs keep theirs under runs/<runId>/). */
export const batchPrefix = (batchId: string) => `batches/${batchId}/`;
export const batchExportKey = (batchId: string) => `${batchPrefix(batchId)}export.zip`;
export const batchManifestKey = (batchId: string) => `${batchPrefix(batchId)}manifest.json`;

/** A voice preview's audio and its facts (duration, cost); `hash` is the preview's cache key. */
/** A terminal look's preview picture (dashboard New Run form), by a hash of the look: rendered once, then read. */
export const terminalPreviewKey = (hash: string) => `terminal-previews/${hash}.png`;
export const voicePreviewKey = (provider: string, hash: string) => `voice-previews/${provider}/${hash}.wav`;
export const voicePreviewFactsKey = (provider: string, hash: string) => `voice-previews/${provider}/${hash}.json`;

/** A campaign's own files: its cast's reference images (kept across runs, so they are not under runs/). */
export const CAMPAIGNS_ROOT = 'campaigns/';
export const castImagePrefix = (campaignId: string) => `${CAMPAIGNS_ROOT}${campaignId}/cast/`;
export const castImageKey = (campaignId: string, id: string, extension: string) => `${castImagePrefix(campaignId)}${id}.${extension}`;
/** Whether a reference is a cast image in the bucket (the video step reads it) rather than a URL or a data URI. */
export const isCastImageKey = (reference: string) => /^campaigns\/[0-9a-f-]{36}\/cast\/[A-Za-z0-9-]+\.(png|jpg|webp)$/.test(reference);
/** Own media uploaded through the dashboard: kept across runs, one folder per campaign and kind. */
export const MEDIA_KINDS = ['clip', 'still', 'voiceOver', 'music'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];
export const campaignMediaKey = (campaignId: string, kind: MediaKind, id: string, extension: string) =>
	`${CAMPAIGNS_ROOT}${campaignId}/media/${kind}/${id}.${extension}`;
/** The campaign a key belongs to when it lies in a campaign's own folder (its cast, its uploads), else null. */
export const campaignOfKey = (key: string): string | null => /^campaigns\/([0-9a-f-]{36})\//i.exec(key)?.[1]?.toLowerCase() ?? null;
/** A brand kit's logo: outside runs/ (a kit's keys may not name run artifacts), one folder per campaign. */
export const brandLogoKey = (campaignId: string, hash: string, extension: 'png' | 'jpg') => `brand/${campaignId}/logo-${hash}.${extension}`;
/** An intro or outro as a run's format has it, kept so the next run (or a resume) of that format need not fit it again. */
export const fittedBrandClipKey = (campaignId: string, which: 'intro' | 'outro', hash: string) => `brand/${campaignId}/fitted/${which}-${hash}.mp4`;
