/**
 * The plan schema shared by every planner (the rules-based Screenplay node now, Claude later),
 * the critic/refiner, the generators and the store. Bump PLAN_SCHEMA_VERSION on breaking change.
 */
export const PLAN_SCHEMA_VERSION = 1;

/** The most scenes a run takes, before and after refinement. */
export const MAX_SCENES = 50;

export type ScriptFormat = 'fountain' | 'screenplay' | 'markdown' | 'post';

export interface DialogueLine {
	/** Character name as written in the script, upper-cased for screenplays (e.g. "ALICE"). */
	speaker: string;
	text: string;
	/** "(whispering)" without the brackets, when the script gives one. */
	parenthetical?: string;
	/** Spoken at the same time as the line before it (Fountain dual dialogue `^`, or a cue such as `EDWARD AND WILL`). */
	dual?: boolean;
	/** Heard, not seen: the cue had `(V.O.)`, `(O.S.)` or `(O.C.)`. */
	offScreen?: boolean;
	/** How many of the scene's action paragraphs come before this line, so a split keeps script order. */
	actionBefore?: number;
}

export interface Scene {
	/** 1-based position in the plan; stable key for scene rows and object keys. */
	number: number;
	/** The slug line as written, e.g. "INT. KITCHEN - NIGHT", or "## Scene 2: The call". */
	heading: string;
	/** INT / EXT / INT/EXT for screenplays; null when the source has no such notion (posts, Markdown). */
	interior: 'INT' | 'EXT' | 'INT/EXT' | null;
	location: string;
	timeOfDay: string | null;
	/** Action / description paragraphs joined by blank lines. */
	action: string;
	/** What the camera should show: concrete, used by every video provider as the prompt. */
	visualDescription: string;
	/** Ordered dialogue lines. */
	dialogue: DialogueLine[];
	/** Text read by the narrator voice (posts, or scenes without dialogue). Empty when none. */
	narration: string;
	/** Names of the characters present (speaking or named in the action). */
	characters: string[];
	/** Seconds, rounded to 0.1, from the words-per-second rule (see Screenplay node README). */
	duration: number;
	/** How the scene ends ("CUT TO:", "DISSOLVE TO:", "FADE OUT."), for the assembly's transitions; null/absent when none. */
	transition?: string | null;
	/** Text shown on screen: supers, title cards, chyrons ("SUPER: Three years later"). Never spoken or drawn as action. */
	onScreenText?: string[];
	/** Sound notes ("SFX: a door slams", "MUSIC: a slow waltz"). Never spoken or drawn as action. */
	sound?: string[];
	/**
	 * Reference images of the campaign's cast for this scene (object keys: its characters' first, then its setting's),
	 * set when the plan is matched to the cast. Kling and Runway animate the first one (image-to-video).
	 */
	references?: string[];
}

/** A character's voice from the campaign's cast: used whenever that provider speaks the character's lines. */
export interface CharacterVoice {
	provider: 'espeak' | 'elevenlabs' | 'google';
	voice: string;
	/** The provider's voice settings in the preview settings' words (nodes/shared/voiceProfile.ts), e.g. ElevenLabs {stability}, espeak-ng {rate, pitch}. */
	settings?: Record<string, number>;
	/** BCP 47: the language the voice was chosen for. */
	language?: string;
}

export interface Character {
	name: string;
	/** Number of dialogue lines across the plan. */
	lines: number;
	/** Scene numbers the character appears in. */
	scenes: number[];
	/** Reusable visual description; empty string when unknown (the critic flags it). */
	description: string;
	/** Only heard (a voice-over, `A VOICE`, `THE CROWD`): needs no look and is not drawn. */
	offScreen?: boolean;
	/** The campaign cast member this character was matched to (by name or alias), when one was. */
	cast?: string;
	/** The cast's voice for the character. */
	voice?: CharacterVoice;
}

export interface Setting {
	name: string;
	interior: 'INT' | 'EXT' | 'INT/EXT' | null;
	timeOfDay: string | null;
	description: string;
	scenes: number[];
	/** The campaign cast's setting this was matched to, when one was. */
	cast?: string;
}

export interface Plan {
	schemaVersion: typeof PLAN_SCHEMA_VERSION;
	title: string;
	format: ScriptFormat;
	/** Requested total length in seconds, when the request gave one. */
	targetDuration: number | null;
	scenes: Scene[];
	characters: Character[];
	settings: Setting[];
	/** Sum of scene durations, seconds. */
	totalDuration: number;
}

export type PlanIssueCode =
	| 'scene-missing-visual'
	| 'character-missing-description'
	| 'duration-off-target'
	| 'scene-over-clip-limit'
	| 'dialogue-over-scene-time'
	| 'missing-dialogue'
	| 'speech-in-action'
	| 'story-order'
	| 'note-in-visual'
	| 'visual-copies-text';

export interface PlanIssue {
	code: PlanIssueCode;
	/** Scene number the issue is about, when it is about one scene. */
	scene?: number;
	/** Character name, for character issues. */
	character?: string;
	/** A sentence a person can act on. */
	message: string;
	/** Points this issue took off the score. */
	penalty: number;
}

export interface Critique {
	/** 0–100. */
	score: number;
	issues: PlanIssue[];
	/** Which critic produced it: 'rules' here, 'claude' later. */
	critic: string;
}
