import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { buildEdl, buildOtio, timecode, type TimelineInput } from '../../nodes/FFmpeg/lib/timeline';
import { otioProblems } from '../helpers/otio';

const seconds = (time: { value: number; rate: number }) => time.value / time.rate;
const input = (transition: TimelineInput['transition']): TimelineInput => ({
	name: 'Run',
	fps: 30,
	transition,
	fade: 0.5,
	clips: [
		{ sceneNumber: 1, url: 's3://b/runs/r/scenes/001/scene.mp4', duration: 4, narrationUrl: 's3://b/runs/r/scenes/001/narration.wav' },
		{ sceneNumber: 2, url: 's3://b/runs/r/scenes/002/scene.mp4', duration: 5.5, narrationUrl: 's3://b/runs/r/scenes/002/narration.wav' },
	],
	cues: [{ start: 0.2, end: 1.9, text: 'Hello' }],
	subtitlesUrl: 's3://b/runs/r/final/subtitles.srt',
});

describe('editor timeline', () => {
	test('a brand intro and outro: named clips on the video track, their sound in the clip (a gap on the narration track), own EDL reels', () => {
		const base = input('none');
		const bookended: TimelineInput = {
			...base,
			clips: [
				{ sceneNumber: 0, role: 'intro', url: 's3://b/brand/c/fitted/intro-1.mp4', duration: 1.5 },
				...base.clips,
				{ sceneNumber: 0, role: 'outro', url: 's3://b/brand/c/fitted/outro-1.mp4', duration: 1 },
			],
		};
		const otio = buildOtio(bookended) as any;
		assert.deepEqual(otioProblems(otio), []);
		const [video, narration] = otio.tracks.children;
		assert.deepEqual(
			video.children.map((clip: any) => clip.name),
			['Intro', 'Scene 1', 'Scene 2', 'Outro'],
		);
		assert.deepEqual(
			narration.children.map((child: any) => [child.OTIO_SCHEMA, child.name]),
			[
				['Gap.1', 'Intro (its sound is in the clip)'],
				['Clip.2', 'Scene 1 narration'],
				['Clip.2', 'Scene 2 narration'],
				['Gap.1', 'Outro (its sound is in the clip)'],
			],
		);
		const edl = buildEdl(bookended);
		assert.match(edl, /^001 {2}INTRO {4}V {5}C {8}00:00:00:00 00:00:01:15 00:00:00:00 00:00:01:15$/m);
		assert.match(edl, /^002 {2}S001 {5}V {5}C {8}00:00:00:00 00:00:04:00 00:00:01:15 00:00:05:15$/m, 'scene 1 starts after the intro');
		assert.match(edl, /^004 {2}OUTRO {4}V {5}C {8}00:00:00:00 00:00:01:00 00:00:11:00 00:00:12:00$/m);
	});

	test('OTIO: a video track of the scenes with a dissolve into the second, narration beside it, cues as markers', () => {
		const otio = buildOtio(input('crossfade')) as any;
		assert.deepEqual(otioProblems(otio), []);
		assert.equal(otio.OTIO_SCHEMA, 'Timeline.1');
		const [video, audio] = otio.tracks.children;
		assert.deepEqual(video.children.map((item: any) => item.OTIO_SCHEMA), ['Clip.2', 'Transition.1', 'Clip.2']);
		assert.deepEqual(
			video.children.filter((item: any) => item.OTIO_SCHEMA === 'Clip.2').map((item: any) => [item.media_references.DEFAULT_MEDIA.target_url, seconds(item.source_range.duration)]),
			[['s3://b/runs/r/scenes/001/scene.mp4', 4], ['s3://b/runs/r/scenes/002/scene.mp4', 5.5]],
		);
		const dissolve = video.children[1];
		assert.equal(dissolve.transition_type, 'SMPTE_Dissolve');
		assert.deepEqual([seconds(dissolve.in_offset), seconds(dissolve.out_offset)], [0, 0.5]);
		assert.deepEqual(audio.children.map((item: any) => item.media_references.DEFAULT_MEDIA.target_url), ['s3://b/runs/r/scenes/001/narration.wav', 's3://b/runs/r/scenes/002/narration.wav']);
		assert.equal(otio.tracks.markers[0].name, 'Hello');
		assert.equal(otio.metadata.reelsmith.subtitles, 's3://b/runs/r/final/subtitles.srt');
		const plain = buildOtio(input('none')) as any;
		assert.ok(plain.tracks.children[0].children.every((item: any) => item.OTIO_SCHEMA === 'Clip.2'), 'cuts only without a transition');
	});

	test('EDL: one event per scene on the record timeline, a 15-frame dissolve where the video has one', () => {
		assert.equal(timecode(9.5, 30), '00:00:09:15');
		const cuts = buildEdl(input('none')).split('\n');
		assert.equal(cuts[0], 'TITLE: Run');
		assert.match(cuts[3], /^001  S001 +V +C +00:00:00:00 00:00:04:00 00:00:00:00 00:00:04:00$/);
		assert.match(cuts[5], /^002  S002 +V +C +00:00:00:00 00:00:05:15 00:00:04:00 00:00:09:15$/);
		const fades = buildEdl(input('crossfade'));
		assert.match(fades, /\n002  S002 +V +D +015 00:00:00:00 00:00:05:15 00:00:04:00 00:00:09:15\n/);
	});

	test('the music bed is a track of its own over the whole video, in the OTIO and on A2 of the EDL', () => {
		const music = { url: 's3://b/runs/r/media/music.mp3', volume: -20, gain: -3.5, ducked: true };
		const otio = buildOtio({ ...input('none'), music }) as any;
		assert.deepEqual(otioProblems(otio), []);
		const tracks = otio.tracks.children;
		assert.deepEqual(tracks.map((track: any) => [track.name, track.kind]), [['Scenes', 'Video'], ['Narration', 'Audio'], ['Music', 'Audio']]);
		const [bed] = tracks[2].children;
		assert.equal(bed.media_references.DEFAULT_MEDIA.target_url, music.url);
		assert.equal(seconds(bed.source_range.duration), 9.5, 'as long as the scenes together');
		assert.deepEqual(bed.metadata.reelsmith, { volume: -20, gain: -3.5, ducked: true, loop: true });
		const edl = buildEdl({ ...input('none'), music }).split('\n');
		assert.match(edl[7], /^003  MUSIC +A2 +C +00:00:00:00 00:00:09:15 00:00:00:00 00:00:09:15$/);
		assert.equal(edl[8], `* FROM CLIP NAME: ${music.url}`);
		assert.equal((buildOtio(input('none')) as any).tracks.children.length, 2, 'no music, no music track');
	});
});
