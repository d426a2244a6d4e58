/**
 * The editor hand-off: the run's timeline as OpenTimelineIO JSON (`.otio`) and a CMX 3600 EDL, built from the clips
 * the assembly joined. Pure: the files reference the scene videos, narration and subtitles in object storage by URL
 * (`s3://bucket/key`), with every cut and dissolve where the final video has it (Join scenes: a crossfade dissolves
 * the next scene in over the held last frame of the one before, so no scene loses time).
 */

export interface TimelineClip {
	sceneNumber: number;
	/** A brand kit's intro or outro (its sound is in the clip, not on the narration track); absent = a scene. */
	role?: 'intro' | 'outro';
	/** The scene video (picture + narration) as the final video has it. */
	url: string;
	/** Seconds. */
	duration: number;
	/** The scene's narration track, when it has one. */
	narrationUrl?: string;
}

export interface TimelineCue {
	start: number;
	end: number;
	text: string;
}

export interface TimelineInput {
	name: string;
	fps: number;
	clips: TimelineClip[];
	transition: 'none' | 'crossfade';
	/** Seconds each dissolve lasts (Join scenes' transition duration). */
	fade: number;
	subtitlesUrl?: string;
	cues?: TimelineCue[];
	/** The music bed under the whole video, as Mix Music laid it (looped and cut to the length, ducked under speech). */
	music?: TimelineMusic;
}

export interface TimelineMusic {
	url: string;
	/** LUFS of the bed on its own, before ducking. */
	volume: number;
	/** dB Mix Music applied to the file to reach `volume`. */
	gain: number;
	ducked: boolean;
}

type Json = Record<string, unknown>;

const time = (seconds: number, rate: number): Json => ({ OTIO_SCHEMA: 'RationalTime.1', rate, value: Math.round(seconds * rate) });
const range = (start: number, duration: number, rate: number): Json => ({
	OTIO_SCHEMA: 'TimeRange.1',
	start_time: time(start, rate),
	duration: time(duration, rate),
});
const item = (schema: string, name: string, extra: Json): Json => ({
	OTIO_SCHEMA: schema,
	name,
	metadata: {},
	effects: [],
	markers: [],
	enabled: true,
	...extra,
});
const clip = (name: string, url: string, duration: number, rate: number): Json =>
	item('Clip.2', name, {
		source_range: range(0, duration, rate),
		media_references: {
			DEFAULT_MEDIA: { OTIO_SCHEMA: 'ExternalReference.1', name: '', metadata: {}, target_url: url, available_range: range(0, duration, rate) },
		},
		active_media_reference_key: 'DEFAULT_MEDIA',
	});
const track = (name: string, kind: 'Video' | 'Audio', children: Json[]): Json => item('Track.1', name, { kind, source_range: null, children });

/** The OTIO timeline: a video track of scene clips (with dissolves), a narration track, subtitle cues as markers. */
export function buildOtio(input: TimelineInput): Json {
	const rate = input.fps;
	const video: Json[] = [];
	input.clips.forEach((scene, index) => {
		if (index > 0 && input.transition === 'crossfade') {
			// The dissolve starts at the cut and runs into the incoming scene; the outgoing one is held (its handle).
			video.push({
				OTIO_SCHEMA: 'Transition.1',
				name: `Dissolve into ${clipName(scene).toLowerCase()}`,
				metadata: {},
				transition_type: 'SMPTE_Dissolve',
				in_offset: time(0, rate),
				out_offset: time(input.fade, rate),
			});
		}
		video.push(clip(clipName(scene), scene.url, scene.duration, rate));
	});
	const audio = input.clips.map((scene) =>
		scene.narrationUrl
			? clip(`${clipName(scene)} narration`, scene.narrationUrl, scene.duration, rate)
			: item('Gap.1', `${clipName(scene)} (${scene.role ? 'its sound is in the clip' : 'no narration'})`, { source_range: range(0, scene.duration, rate) }),
	);
	const tracks = [track('Scenes', 'Video', video), track('Narration', 'Audio', audio)];
	if (input.music) {
		// One clip over the whole video: Mix Music loops a short file, which an editor does by repeating it.
		const total = input.clips.reduce((sum, scene) => sum + scene.duration, 0);
		const bed = clip('Music', input.music.url, total, rate);
		bed.metadata = { reelsmith: { volume: input.music.volume, gain: input.music.gain, ducked: input.music.ducked, loop: true } };
		tracks.push(track('Music', 'Audio', [bed]));
	}
	const markers = (input.cues ?? []).map((cue) => ({
		OTIO_SCHEMA: 'Marker.2',
		name: cue.text,
		color: 'YELLOW',
		comment: '',
		metadata: {},
		marked_range: range(cue.start, Math.max(0, cue.end - cue.start), rate),
	}));
	return {
		OTIO_SCHEMA: 'Timeline.1',
		name: input.name,
		global_start_time: time(0, rate),
		metadata: { reelsmith: { subtitles: input.subtitlesUrl ?? null, transition: input.transition } },
		tracks: { ...item('Stack.1', 'tracks', { source_range: null, children: tracks }), markers },
	};
}

const clipName = (scene: TimelineClip) => (scene.role === 'intro' ? 'Intro' : scene.role === 'outro' ? 'Outro' : `Scene ${scene.sceneNumber}`);

/** HH:MM:SS:FF at `fps`, non-drop frame. */
export function timecode(seconds: number, fps: number): string {
	const frames = Math.round(seconds * fps);
	const pad = (value: number) => String(value).padStart(2, '0');
	const whole = Math.floor(frames / fps);
	return `${pad(Math.floor(whole / 3600))}:${pad(Math.floor(whole / 60) % 60)}:${pad(whole % 60)}:${pad(frames % fps)}`;
}

/** The same cuts and dissolves as a CMX 3600 EDL (one reel per scene; the source clip name in a comment). */
export function buildEdl(input: TimelineInput): string {
	const fps = Math.round(input.fps);
	const tc = (seconds: number) => timecode(seconds, fps);
	const reel = (scene: TimelineClip) => (scene.role ? scene.role.toUpperCase() : `S${String(scene.sceneNumber).padStart(3, '0')}`).padEnd(8);
	const lines = [`TITLE: ${input.name.replace(/[\r\n]+/g, ' ').slice(0, 70)}`, 'FCM: NON-DROP FRAME', ''];
	let at = 0;
	let event = 0;
	const number = () => String(++event).padStart(3, '0');
	input.clips.forEach((scene, index) => {
		const end = at + scene.duration;
		if (index > 0 && input.transition === 'crossfade') {
			// A dissolve is two lines of one event: the outgoing reel for no time at the cut, then the incoming one.
			const previous = input.clips[index - 1];
			const id = number();
			lines.push(`${id}  ${reel(previous)} V     C        ${tc(previous.duration)} ${tc(previous.duration)} ${tc(at)} ${tc(at)}`);
			const frames = String(Math.round(input.fade * fps)).padStart(3, '0');
			lines.push(`${id}  ${reel(scene)} V     D    ${frames} ${tc(0)} ${tc(scene.duration)} ${tc(at)} ${tc(end)}`);
		} else {
			lines.push(`${number()}  ${reel(scene)} V     C        ${tc(0)} ${tc(scene.duration)} ${tc(at)} ${tc(end)}`);
		}
		lines.push(`* FROM CLIP NAME: ${scene.url}`);
		at = end;
	});
	if (input.music) {
		// The bed on the second audio channel, from the start to the end of the video.
		lines.push(`${number()}  ${'MUSIC'.padEnd(8)} A2    C        ${tc(0)} ${tc(at)} ${tc(0)} ${tc(at)}`);
		lines.push(`* FROM CLIP NAME: ${input.music.url}`);
	}
	return `${lines.join('\n')}\n`;
}
