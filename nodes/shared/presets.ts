import presets from './data/presets.json';

export interface ExportPreset {
	label: string;
	width: number;
	height: number;
	aspectRatio: string;
	fps: number;
	videoBitrate: string;
	audioBitrate: string;
	/** The run's thumbnail JPEG: the platform's thumbnail size, and why (the data file says it per preset). */
	thumbnail: { width: number; height: number; why: string };
}

export type PresetName = keyof typeof presets;
export const PRESETS: Record<string, ExportPreset> = presets;
export const PRESET_NAMES = Object.keys(presets) as PresetName[];

/** Every clip of a run is made in this one format so assembly can concatenate by stream copy. */
export const CLIP_FORMAT = {
	videoCodec: 'libx264',
	pixelFormat: 'yuv420p',
	fps: 30,
	audioCodec: 'aac',
	audioRate: 48000,
	audioChannels: 2,
	audioBitrate: '192k',
} as const;

export function presetByName(name: string): ExportPreset {
	const preset = PRESETS[name];
	if (!preset) {
		throw new Error(`Unknown export preset "${name}". Use one of: ${Object.keys(PRESETS).join(', ')}.`);
	}
	return preset;
}
