import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../shared/description';
import { operations } from './actions/router';

/** The FFmpeg node's parameters: the operation choice, then each operation's own fields. */
export const properties: INodeProperties[] = [
	operationField(
		[
			{
				name: 'Add Intro and Outro',
				value: 'brandClips',
				description: "Put the brand kit's intro before the scenes and its outro after them, fitted to their format; subtitle cues move with them",
				action: 'Add an intro and outro',
			},
			{
				name: 'Check Clip',
				value: 'checkClip',
				description: 'Check a clip exists, has video and audio, the right length and audible sound',
				action: 'Check a clip',
			},
			{
				name: 'Concatenate',
				value: 'concat',
				description: 'Join clips in order, by stream copy when they match, optionally with crossfades',
				action: 'Concatenate clips',
			},
			{
				name: 'Export',
				value: 'export',
				description: 'Deliver in a preset (YouTube, Shorts, square): H.264 + AAC with faststart',
				action: 'Export a video',
			},
			{
				name: 'Export Timeline',
				value: 'timeline',
				description: 'Hand the run to an editor: its timeline as OpenTimelineIO (.otio) and a CMX 3600 EDL',
				action: 'Export a timeline',
			},
			{
				name: 'Mix Music',
				value: 'music',
				description: 'Lay a music bed under the narration, ducked while it speaks; the video is copied',
				action: 'Mix music under the narration',
			},
			{
				name: 'Mux Narration',
				value: 'mux',
				description: 'Put a narration track on a clip, padded or cut to the clip length',
				action: 'Mux narration onto a clip',
			},
			{
				name: 'Normalize Loudness',
				value: 'loudness',
				description: 'Brings the audio to a loudness target (default −14 LUFS) and measures the result',
				action: 'Normalize loudness',
			},
			{
				name: 'Probe',
				value: 'probe',
				description: 'Streams, duration, codecs, loudness and faststart of a media file',
				action: 'Probe a media file',
			},
			{
				name: 'Subtitles',
				value: 'subtitles',
				description: 'Build an SRT from cues and attach it as a track or burn it in',
				action: 'Add subtitles',
			},
			{
				name: 'Export With Alpha',
				value: 'exportAlpha',
				description: "Key out a terminal scene's screen colour: ProRes 4444 (.mov) or VP9 with alpha (.webm)",
				action: 'Export a clip with alpha',
			},
			{
				name: 'Thumbnail',
				value: 'thumbnail',
				description: 'Take one frame as a JPEG',
				action: 'Make a thumbnail',
			},
			{
				name: 'Trailer',
				value: 'trailer',
				description: "A 15–30 s cut of a plan's most telling moments from the storyboard stills, with a title card and the run's music",
				action: 'Make a trailer',
			},
			{
				name: 'Watermark',
				value: 'watermark',
				description: 'Place a text or image mark in a corner',
				action: 'Watermark a video',
			},
		],
		'probe',
	),
	...Object.values(operations).flatMap((op) => op.description),
];
