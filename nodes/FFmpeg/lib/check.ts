import { access } from 'node:fs/promises';
import { probeMedia, videoDuration, type MediaFacts, type MediaProbe } from './probe';

export interface ClipCheckOptions {
	/** Seconds; 0 or undefined skips the duration check. */
	expectedDuration?: number;
	/** Seconds either side of the expected duration (default 0.5). */
	tolerance?: number;
	/** Mean volume in dB below which the audio counts as silent (default −60). */
	minMeanVolume?: number;
	/** What the clip's reference said about it (stream facts); the file is probed when it has none that fit. */
	known?: MediaFacts | null;
}

export interface ClipCheck {
	ok: boolean;
	/** Plain sentences a person can act on; empty when ok. */
	problems: string[];
	probe: MediaProbe | null;
}

/**
 * The validation loop's question: is this clip usable? Never throws for a bad clip — a missing file, an
 * unreadable file, a missing stream, a wrong length or silence all come back as problems.
 */
export async function checkClip(file: string, options: ClipCheckOptions = {}): Promise<ClipCheck> {
	const tolerance = options.tolerance ?? 0.5;
	const minMeanVolume = options.minMeanVolume ?? -60;
	try {
		await access(file);
	} catch {
		return { ok: false, problems: ['the clip file does not exist'], probe: null };
	}

	let probe: MediaProbe;
	try {
		probe = await probeMedia(file, { known: options.known });
	} catch (error) {
		const reason = (error as Error).message.split('|').pop()?.trim() ?? 'unknown error';
		return { ok: false, problems: [`the clip could not be read as a video (${reason})`], probe: null };
	}

	const problems: string[] = [];
	if (probe.bytes === 0) problems.push('the clip is empty (0 bytes)');
	if (!probe.video) problems.push('the clip has no video stream');
	if (!probe.audio) problems.push('the clip has no audio stream');

	const expected = options.expectedDuration ?? 0;
	if (expected > 0) {
		const actual = videoDuration(probe);
		if (Math.abs(actual - expected) > tolerance) {
			problems.push(
				`the clip is ${fmt(actual)} s long, expected ${fmt(expected)} s (± ${fmt(tolerance)} s)`,
			);
		}
	}

	if (probe.audio) {
		if (probe.meanVolume === null || probe.meanVolume < minMeanVolume) {
			const measured = probe.meanVolume === null ? 'no signal at all' : `mean volume ${fmt(probe.meanVolume)} dB`;
			problems.push(`the audio is silent (${measured}; needs at least ${fmt(minMeanVolume)} dB)`);
		}
	}

	return { ok: problems.length === 0, problems, probe };
}

function fmt(value: number): string {
	return String(Math.round(value * 100) / 100);
}
