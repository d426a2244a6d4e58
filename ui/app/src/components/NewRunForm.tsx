import { useEffect, useState, type ChangeEvent, type FormEvent, type ReactNode } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { useStartRun } from '../api/queries';
import { LanguagePicker } from './LanguagePicker';
import { NO_MUSIC, OwnMedia, ownMediaRequest, type MediaRow, type MusicChoice } from './OwnMedia';

/**
 * Start a run: paste or upload a script, or write a post. The body is the webhook request minus `campaign` (the
 * API adds it). A 400 names a field; its message appears under that field.
 */
const VIDEO_PROVIDERS = ['kling', 'runway', 'local'] as const;
const SPEECH_PROVIDERS = ['elevenlabs', 'google', 'espeak'] as const;
const PROVIDER_LABEL: Record<string, string> = {
	kling: 'Kling',
	runway: 'Runway',
	local: 'Local (ffmpeg)',
	elevenlabs: 'ElevenLabs',
	google: 'Google TTS',
	espeak: 'espeak-ng (offline)',
};

type Errors = Record<string, string>;
type Choices = ReadonlyArray<readonly [value: string, label: string]>;

const FORMATS: Choices = [['auto', 'Detect'], ['fountain', 'Fountain'], ['screenplay', 'Screenplay'], ['markdown', 'Markdown']];
// '' = not sent: the campaign's brand kit chooses (else the pipeline's default, title card and YouTube).
export const STYLES: Choices = [['titleCard', 'Title card'], ['terminal', 'Terminal']];
export const PRESETS: Choices = [['youtube', 'YouTube 1920×1080'], ['shorts', 'Shorts 1080×1920'], ['square', 'Square 1080×1080']];
const KIT_CHOICE: Choices = [['', "Campaign's brand kit"]];
const PLANNERS: Choices = [['auto', 'Automatic'], ['claude', 'Claude'], ['rules', 'Rules (offline)']];
const SUBTITLES: Choices = [['attach', 'Soft track'], ['burn', 'Burned in'], ['none', 'None']];
// Kling and Runway animate a still per scene (image-to-video) so characters look alike; the local renderer ignores it.
const REFERENCE_FRAMES: Choices = [['none', 'None (text to video)'], ['storyboard', 'Storyboard stills']];
const KINDS = [['script', 'Script'], ['post', 'Post']] as const;

function FieldError({ name, errors }: { name: string; errors: Errors }) {
	if (!errors[name]) return null;
	return (
		<div className="field-error" role="alert" data-testid={`field-error-${name}`}>
			{errors[name]}
		</div>
	);
}

function Field({
	label,
	name,
	errors,
	children,
	hint,
}: {
	label: string;
	name: string;
	errors: Errors;
	children: ReactNode;
	hint?: string;
}) {
	return (
		<label className={errors[name] ? 'field invalid' : 'field'}>
			<span>{label}</span>
			{children}
			{hint && <small className="muted">{hint}</small>}
			<FieldError name={name} errors={errors} />
		</label>
	);
}

interface InputProps {
	label: string;
	name: string;
	errors: Errors;
	value: string;
	onChange: (value: string) => void;
}

/** The test id of a field's input: `run-` and its name in kebab case (sceneCount → run-scene-count). */
const testIdOf = (name: string) => `run-${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;

interface SchemeChoice {
	name: string;
	label: string;
}

/** The terminal's colour schemes as pictures (GET /api/terminal/previews/{scheme}); a click picks one. */
function SchemePictures({ value, onChange, errors }: { value: string; onChange: (value: string) => void; errors: Errors }) {
	const [schemes, setSchemes] = useState<SchemeChoice[]>([]);
	useEffect(() => {
		let live = true;
		fetch('/api/terminal/looks', { credentials: 'same-origin' })
			.then((answer) => (answer.ok ? answer.json() : { schemes: [] }))
			.then((looks: { schemes: SchemeChoice[] }) => live && setSchemes(looks.schemes))
			.catch(() => live && setSchemes([]));
		return () => {
			live = false;
		};
	}, []);
	return (
		<Field label="Terminal colours" name="terminalScheme" errors={errors}>
			<div className="row" data-testid="run-terminal-schemes">
				{schemes.map((scheme) => (
					<button
						key={scheme.name}
						type="button"
						aria-pressed={scheme.name === value}
						onClick={() => onChange(scheme.name)}
						data-testid={`run-terminal-scheme-${scheme.name}`}
						style={{ padding: 2, border: scheme.name === value ? '2px solid currentColor' : '2px solid transparent', background: 'none' }}
					>
						<img src={`/api/terminal/previews/${encodeURIComponent(scheme.name)}`} alt={scheme.label} width={160} height={90} />
						<div>{scheme.label}</div>
					</button>
				))}
			</div>
		</Field>
	);
}

function SelectField({ choices, ...field }: InputProps & { choices: Choices }) {
	return (
		<Field label={field.label} name={field.name} errors={field.errors}>
			<select value={field.value} onChange={(e) => field.onChange(e.target.value)} data-testid={testIdOf(field.name)}>
				{choices.map(([value, label]) => (
					<option key={value} value={value}>
						{label}
					</option>
				))}
			</select>
		</Field>
	);
}

function NumberField({ min, max, step, hint, ...field }: InputProps & { min: number; max?: number; step?: string; hint?: string }) {
	return (
		<Field label={field.label} name={field.name} errors={field.errors} hint={hint}>
			<input
				type="number"
				min={min}
				max={max}
				step={step}
				value={field.value}
				onChange={(e) => field.onChange(e.target.value)}
				data-testid={testIdOf(field.name)}
			/>
		</Field>
	);
}

const isAutomatic = (providers: string[]) => providers.length === 1 && providers[0] === 'auto';

/** An ordered choice of providers: "automatic", or the ones ticked, in the order shown (move up to reorder). */
function ProviderOrder({
	name,
	all,
	value,
	onChange,
	errors,
}: {
	name: string;
	all: readonly string[];
	value: string[];
	onChange: (v: string[]) => void;
	errors: Errors;
}) {
	const auto = isAutomatic(value);
	const [order, setOrder] = useState<string[]>([...all]);
	const pick = (picked: string[], nextOrder = order) => onChange(picked.length ? nextOrder.filter((p) => picked.includes(p)) : ['auto']);
	return (
		<fieldset className={errors[name] ? 'order invalid' : 'order'} data-testid={`providers-${name}`}>
			<legend>{name === 'video' ? 'Video providers (fallback order)' : 'Speech providers (order)'}</legend>
			<label className="check">
				<input type="checkbox" checked={auto} onChange={(e) => onChange(e.target.checked ? ['auto'] : [all[all.length - 1]])} />
				Automatic: every configured provider
			</label>
			{!auto &&
				order.map((provider, index) => (
					<div key={provider} className="order-row">
						<label className="check">
							<input
								type="checkbox"
								checked={value.includes(provider)}
								onChange={(e) => pick(e.target.checked ? [...value, provider] : value.filter((p) => p !== provider))}
								data-testid={`provider-${name}-${provider}`}
							/>
							{index + 1}. {PROVIDER_LABEL[provider] ?? provider}
						</label>
						{index > 0 && (
							<button
								type="button"
								className="link small"
								onClick={() => {
									const next = [...order];
									[next[index - 1], next[index]] = [next[index], next[index - 1]];
									setOrder(next);
									pick(value, next);
								}}
							>
								↑ earlier
							</button>
						)}
					</div>
				))}
			<FieldError name={name} errors={errors} />
		</fieldset>
	);
}

const optionalNumber = (text: string) => (text.trim() === '' ? undefined : Number(text));

export function NewRunForm({ campaignId, onStarted }: { campaignId: string; onStarted: (runId: string) => void }) {
	const start = useStartRun(campaignId);
	const [kind, setKind] = useState<'script' | 'post'>('script');
	const [script, setScript] = useState('');
	const [fileName, setFileName] = useState('');
	const [format, setFormat] = useState('auto');
	const [title, setTitle] = useState('');
	const [body, setBody] = useState('');
	const [style, setStyle] = useState('');
	const [terminalScheme, setTerminalScheme] = useState('green');
	const [preset, setPreset] = useState('');
	const [language, setLanguage] = useState('');
	const [planner, setPlanner] = useState('auto');
	const [video, setVideo] = useState<string[]>(['auto']);
	const [speech, setSpeech] = useState<string[]>(['auto']);
	const [iterations, setIterations] = useState('3');
	const [variations, setVariations] = useState('1');
	const [budget, setBudget] = useState('');
	const [approval, setApproval] = useState(false);
	const [advanced, setAdvanced] = useState(false);
	const [sceneCount, setSceneCount] = useState('');
	const [targetDuration, setTargetDuration] = useState('');
	const [priority, setPriority] = useState('0');
	const [validationAttempts, setValidationAttempts] = useState('2');
	const [subtitles, setSubtitles] = useState('attach');
	const [referenceFrames, setReferenceFrames] = useState('none');
	const [voiceMap, setVoiceMap] = useState('');
	const [mediaRows, setMediaRows] = useState<MediaRow[]>([]);
	const [music, setMusic] = useState<MusicChoice>(NO_MUSIC);
	const [local, setLocal] = useState<Errors>({});

	// Fields on screen now; a 400 about any other field is shown above the button, with the field named.
	const shown = new Set(['title', 'language', 'style', 'terminalScheme', 'preset', 'iterations', 'variations', 'budget', 'planner', 'video', 'speech', 'approval', 'sceneMedia', 'music']);
	(kind === 'script' ? ['script', 'format'] : ['body']).forEach((f) => shown.add(f));
	if (advanced) ['sceneCount', 'targetDuration', 'priority', 'validationAttempts', 'subtitles', 'referenceFrames', 'voiceMap'].forEach((f) => shown.add(f));
	const errors: Errors = {};
	let formLevel = '';
	if (start.error) {
		const field = start.error instanceof ApiError ? start.error.field : undefined;
		// "voiceMap.LEON" is one entry of the voice map: its error goes under the voice map.
		// "sceneMedia[0].still.url" and "music.url" go under the own-media section, with the exact part named.
		const media = field?.startsWith('sceneMedia') ? 'sceneMedia' : field?.startsWith('music') ? 'music' : undefined;
		const named = field?.startsWith('voiceMap.') ? 'voiceMap' : (media ?? field);
		// A post's text travels as `script`: its error goes under the post body.
		const target = kind === 'post' && named === 'script' ? 'body' : named;
		if (media && field) errors[media] = `${field}: ${start.error.message}`;
		else if (target && shown.has(target)) errors[target] = start.error.message;
		else formLevel = field && field !== 'body' ? `${field}: ${errorMessage(start.error)}` : errorMessage(start.error);
	}
	Object.assign(errors, local);

	const upload = async (event: ChangeEvent<HTMLInputElement>) => {
		const file = event.target.files?.[0];
		if (!file) return;
		if (file.size > 200 * 1024) {
			setLocal({
				script: `${file.name} is ${Math.round(file.size / 1024)} KB; a script may be at most 200 KB. Split it into several runs.`,
			});
			return;
		}
		setScript(await file.text());
		setFileName(file.name);
		setLocal({});
		if (/\.fountain$/i.test(file.name)) setFormat('fountain');
		else if (/\.md$/i.test(file.name)) setFormat('markdown');
	};

	const submit = (event: FormEvent) => {
		event.preventDefault();
		const problems: Errors = {};
		const request: Record<string, unknown> = { iterations: Number(iterations) };
		if (style) request.style = style;
		if (preset) request.preset = preset;
		if (style === 'terminal') request.terminalScheme = terminalScheme;
		// Sent as typed, so the pipeline's 400 names "variations" when it is not a whole number from 1 to 5.
		if (variations.trim() && variations.trim() !== '1') request.variations = Number(variations);
		if (approval) request.approval = true;
		if (kind === 'script') {
			if (!script.trim()) problems.script = 'Paste a script or upload a file.';
			request.script = script;
			request.format = format;
		} else {
			if (!body.trim()) problems.body = 'Write the post text.';
			request.script = body;
			request.format = 'post';
		}
		if (title.trim()) request.title = title.trim();
		if (language) request.language = language;
		if (planner !== 'auto') request.planner = planner;
		if (!isAutomatic(video)) request.video = video;
		if (!isAutomatic(speech)) request.speech = speech;
		if (budget.trim() !== '') {
			const value = Number(budget);
			if (!Number.isFinite(value) || value < 0)
				problems.budget = 'Give the budget in US dollars, 0 or more (or leave it empty for no cap).';
			request.budget = value;
		}
		if (advanced) {
			request.sceneCount = optionalNumber(sceneCount);
			request.targetDuration = optionalNumber(targetDuration);
			request.priority = Number(priority);
			request.validationAttempts = Number(validationAttempts);
			request.subtitles = subtitles;
			if (referenceFrames !== 'none') request.referenceFrames = referenceFrames;
			if (voiceMap.trim()) {
				try {
					const parsed = JSON.parse(voiceMap) as unknown;
					if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
					request.voiceMap = parsed;
				} catch {
					problems.voiceMap = 'Write the voice map as JSON, e.g. {"ALICE": "en-us+f3"}.';
				}
			}
		}
		if (mediaRows.some((row) => row.busy) || music.busy) problems.sceneMedia = 'Wait for the uploads to finish, then start the run.';
		Object.assign(request, ownMediaRequest(mediaRows, music));
		setLocal(problems);
		if (Object.keys(problems).length) return;
		for (const key of Object.keys(request)) if (request[key] === undefined) delete request[key];
		start.mutate(request, { onSuccess: (answer) => onStarted(answer.runId) });
	};

	return (
		<form className="card run-form" onSubmit={submit} data-testid="new-run-form" noValidate>
			<h2>New run</h2>
			<div className="tabs" role="tablist">
				{KINDS.map(([value, label]) => (
					<button
						key={value}
						type="button"
						role="tab"
						aria-selected={kind === value}
						className={kind === value ? 'active' : ''}
						onClick={() => setKind(value)}
						data-testid={`kind-${value}`}
					>
						{label}
					</button>
				))}
			</div>

			<Field label="Title (optional)" name="title" errors={errors}>
				<input value={title} maxLength={300} onChange={(e) => setTitle(e.target.value)} data-testid="run-title" />
			</Field>
			{kind === 'script' ? (
				<>
					<Field
						label="Script"
						name="script"
						errors={errors}
						hint="Fountain, plain screenplay, Markdown or free text; at most 200 KB and 50 scenes."
					>
						<textarea
							rows={10}
							value={script}
							onChange={(e) => setScript(e.target.value)}
							placeholder={'INT. KITCHEN - NIGHT\n\nA kettle starts to whistle.'}
							data-testid="run-script"
						/>
					</Field>
					<div className="row">
						<label className="field">
							<span>…or upload a file</span>
							<input type="file" accept=".fountain,.txt,.md,.markdown,text/plain" onChange={upload} data-testid="run-script-file" />
							{fileName && <small className="muted">Loaded {fileName}</small>}
						</label>
						<SelectField label="Format" name="format" errors={errors} value={format} onChange={setFormat} choices={FORMATS} />
					</div>
				</>
			) : (
				<Field label="Post" name="body" errors={errors} hint="A free-form post; it is split into scenes and narrated.">
					<textarea rows={8} value={body} onChange={(e) => setBody(e.target.value)} data-testid="run-post-body" />
				</Field>
			)}

			<div className="row">
				<div className={errors.language ? 'field invalid' : 'field'}>
					<span>Language</span>
					<LanguagePicker value={language} onChange={setLanguage} emptyLabel="English (en), the default" testId="run-language" />
					<small className="muted">What the plan is written, spoken and drawn in.</small>
					<FieldError name="language" errors={errors} />
				</div>
				<SelectField label="Style" name="style" errors={errors} value={style} onChange={setStyle} choices={[...KIT_CHOICE, ...STYLES]} />
				{style === 'terminal' && <SchemePictures value={terminalScheme} onChange={setTerminalScheme} errors={errors} />}
				<SelectField label="Preset" name="preset" errors={errors} value={preset} onChange={setPreset} choices={[...KIT_CHOICE, ...PRESETS]} />
				<NumberField
					label="Refinement iterations"
					name="iterations"
					errors={errors}
					value={iterations}
					onChange={setIterations}
					min={1}
					max={5}
				/>
				<NumberField
					label="Takes"
					name="variations"
					errors={errors}
					value={variations}
					onChange={setVariations}
					min={1}
					max={5}
					hint="Different takes of the script to plan; the best-scored is made, or the one you approve. Claude planning costs grow with each take."
				/>
				<NumberField label="Budget, USD (optional)" name="budget" errors={errors} value={budget} onChange={setBudget} min={0} step="0.01" />
			</div>

			<div className="row">
				<SelectField label="Planner" name="planner" errors={errors} value={planner} onChange={setPlanner} choices={PLANNERS} />
				<ProviderOrder name="video" all={VIDEO_PROVIDERS} value={video} onChange={setVideo} errors={errors} />
				<ProviderOrder name="speech" all={SPEECH_PROVIDERS} value={speech} onChange={setSpeech} errors={errors} />
			</div>

			<label className="check">
				<input type="checkbox" checked={approval} onChange={(e) => setApproval(e.target.checked)} data-testid="run-approval" />
				Approval required: wait for the storyboard to be approved before any paid generation
			</label>
			<FieldError name="approval" errors={errors} />

			<div>
				<button type="button" className="link" onClick={() => setAdvanced(!advanced)} data-testid="run-advanced">
					{advanced ? 'Hide advanced settings' : 'Advanced settings'}
				</button>
			</div>
			{advanced && (
				<div className="row">
					<NumberField
						label="Scenes (posts)"
						name="sceneCount"
						errors={errors}
						value={sceneCount}
						onChange={setSceneCount}
						min={1}
						max={20}
					/>
					<NumberField
						label="Target duration, s"
						name="targetDuration"
						errors={errors}
						value={targetDuration}
						onChange={setTargetDuration}
						min={5}
						max={600}
					/>
					<NumberField label="Priority" name="priority" errors={errors} value={priority} onChange={setPriority} min={-100} max={100} />
					<NumberField
						label="Checks per scene"
						name="validationAttempts"
						errors={errors}
						value={validationAttempts}
						onChange={setValidationAttempts}
						min={0}
						max={5}
					/>
					<SelectField label="Subtitles" name="subtitles" errors={errors} value={subtitles} onChange={setSubtitles} choices={SUBTITLES} />
					<SelectField
						label="Reference frames"
						name="referenceFrames"
						errors={errors}
						value={referenceFrames}
						onChange={setReferenceFrames}
						choices={REFERENCE_FRAMES}
					/>
					<Field label="Voice map (JSON)" name="voiceMap" errors={errors} hint='Character → voice, e.g. {"ALICE": "en-us+f3"}'>
						<input value={voiceMap} onChange={(e) => setVoiceMap(e.target.value)} data-testid="run-voice-map" />
					</Field>
				</div>
			)}

			<OwnMedia
				campaignId={campaignId}
				rows={mediaRows}
				onRows={setMediaRows}
				music={music}
				onMusic={setMusic}
				errors={{ sceneMedia: errors.sceneMedia, music: errors.music }}
			/>

			{formLevel && (
				<div className="notice error small" role="alert" data-testid="run-form-error">
					{formLevel}
				</div>
			)}
			<div className="submit">
				<button type="submit" className="primary" disabled={start.isPending} data-testid="run-submit">
					{start.isPending ? 'Starting…' : 'Start run'}
				</button>
				<span className="muted small">The run joins the campaign's queue; its page opens and follows it live.</span>
			</div>
		</form>
	);
}
