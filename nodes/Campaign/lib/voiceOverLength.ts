import { downloadOwnFile } from '../../shared/ownFile';
import { probeStreams } from '../../shared/probe';
import type { Storage } from '../../shared/transport/storage';
import { withWorkDir } from '../../shared/workdir';
import type { SceneMedia } from './sceneMedia';

/**
 * Measures, once per run, the length of every own voice-over not measured yet (downloaded with the SSRF guard when
 * by URL, probed with ffprobe), so the estimate bills a paid clip for the voice-over's length, as the video step will
 * make it. Returns the media with `voiceOver.seconds` filled in, whether anything changed, and what could not be read
 * (the estimate then uses the planned duration for that scene, and the scene itself fails later with its own message).
 */
export async function measureVoiceOvers(
	storage: Storage,
	media: SceneMedia[],
): Promise<{ media: SceneMedia[]; measured: number; problems: string[] }> {
	const problems: string[] = [];
	let measured = 0;
	const out: SceneMedia[] = [];
	for (const entry of media) {
		const voice = entry.voiceOver;
		if (!voice || (Number(voice.seconds) > 0 && Number.isFinite(Number(voice.seconds)))) {
			out.push(entry);
			continue;
		}
		try {
			const seconds = await withWorkDir(async (dir) => {
				const file = await downloadOwnFile(storage, 'url' in voice ? { url: voice.url } : { key: voice.key }, dir, 'voice-over');
				const facts = await probeStreams(file);
				return facts.audio?.duration ?? facts.duration;
			});
			if (!(seconds > 0)) throw new Error('it has no sound ffprobe can measure');
			out.push({ ...entry, voiceOver: { ...voice, seconds: Math.round(seconds * 1000) / 1000 } });
			measured++;
		} catch (error) {
			problems.push(`scene ${entry.scene}'s voice-over could not be measured (${(error as Error).message})`);
			out.push(entry);
		}
	}
	return { media: out, measured, problems };
}
