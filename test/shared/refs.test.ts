import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { mediaFacts, type MediaFacts } from '../../nodes/shared/refs';

/** Facts as the FFmpeg node writes them for a scene video. */
const scene: MediaFacts = {
	duration: 5,
	formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
	video: { codec: 'h264', profile: 'High', width: 1920, height: 1080, fps: 30, frameRate: '30/1', pixelFormat: 'yuv420p', timeBase: '1/90000', duration: 5 },
	audio: { codec: 'aac', sampleRate: 48000, channels: 2, channelLayout: 'stereo', duration: 5 },
	subtitles: [],
	faststart: true,
	bytes: 812_345,
};

describe('media facts in a reference', () => {
	it('complete facts are taken as they are, also for audio only and video only', () => {
		assert.deepEqual(mediaFacts(scene), scene);
		assert.ok(mediaFacts({ ...scene, video: null }));
		assert.ok(mediaFacts({ ...scene, audio: null }));
	});

	it('missing, partial or wrongly typed facts are refused, so the file is probed instead', () => {
		assert.equal(mediaFacts(undefined), null);
		assert.equal(mediaFacts({ duration: 5 }), null, 'a reference with only a duration');
		assert.equal(mediaFacts({ ...scene, bytes: 0 }), null, 'no size to check the file against');
		assert.equal(mediaFacts({ ...scene, duration: '5' }), null);
		assert.equal(mediaFacts({ ...scene, video: { ...scene.video, width: 0 } }), null);
		assert.equal(mediaFacts({ ...scene, video: { codec: 'h264' } }), null, 'stream facts cut short');
		assert.equal(mediaFacts({ ...scene, audio: { ...scene.audio, sampleRate: Number.NaN } }), null);
		assert.equal(mediaFacts({ ...scene, subtitles: 'none' }), null);
		assert.equal(mediaFacts([scene]), null);
	});
});
