import type { Character, Scene } from '../plan';

/*
 * What the local renderer (and every video provider) is asked to make. In nodes/shared because the renderer draws for
 * Video Generation's clips, Campaign's storyboard stills and FFmpeg's trailer and brand clips.
 */

/** A spoken line with its time in the scene, as the Text to Speech node returns it (`narration.lines`). */
export interface SpokenLineTiming {
	speaker: string;
	text: string;
	/** Seconds from the scene start. */
	start: number;
	end: number;
	/** 'dialogue' | 'narration' | 'action'; older items may lack it (then NARRATOR = not dialogue). */
	kind?: string;
	/** The provider's word timings on the scene clock, when it gives an alignment (ElevenLabs): the terminal types each word as it is said. */
	words?: Array<{ text: string; start: number; end: number }>;
}

/** The parts of a brand kit the local renderer draws with; what is left out is the style's own. */
export interface BrandLook {
	colors?: { background?: string; backgroundBottom?: string; heading?: string; body?: string; accent?: string };
	fonts?: { heading?: string; body?: string };
}

/** What every video provider is asked to make: one clip for one scene. */
export interface ClipRequest {
	scene: Scene;
	/** A key of data/styles.json (local) or a look the provider maps to its own prompt. */
	style: string;
	/** Export preset name and its frame size. */
	preset: string;
	width: number;
	height: number;
	fps: number;
	/** Seconds; the clip has exactly round(duration * fps) frames. */
	duration: number;
	/** Narration timing, when the scene was voiced first (terminal style types each line while it is spoken). */
	lines?: SpokenLineTiming[];
	characters?: Character[];
	/** Terminal style: a colour scheme and a cursor of shared/data/terminalLooks.json; defaults there. */
	terminalScheme?: string;
	terminalCursor?: string;
	/**
	 * The campaign's brand kit (the run's options.brand): title card colours (#rrggbb) and fonts (names of
	 * shared/data/brandFonts.json) over the style's own. Only the local renderer reads it.
	 */
	brand?: BrandLook;
	/** Terminal style: a prompt, a window chrome and any effects of shared/data/terminalLooks.json; defaults there. */
	terminalPrompt?: string;
	terminalChrome?: string;
	terminalEffects?: string[];
	/** The run's language (BCP 47): the local renderer draws with fonts of its script. Default en. */
	language?: string;
	/** A still to animate (https URL, data URI or bare base64): remote providers switch to image-to-video. */
	referenceImage?: string;
	/**
	 * The scene's words as Claude rewrote them after a content-policy refusal: remote providers send this instead of
	 * the prompt made from the scene (the style hint and frame-check fixes still follow it).
	 */
	promptRewrite?: string;
	/** Reasons the last clip of this scene failed its frame check; remote providers add them to the prompt. */
	feedback?: string[];
}
