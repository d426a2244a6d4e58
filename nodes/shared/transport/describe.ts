/**
 * What one provider request was, for the AI-call record (store/aiCalls.ts): a thin describer per provider reads the
 * purpose, model, units and task id off the request and answer, and `scrub` takes out what must never be stored —
 * credential values (whatever field they turn up in), signed URLs' query values, base64 media.
 */

/** One request as the HTTP layer saw it. */
export interface Attempt {
	/** The provider's display name as the transports call it: "Kling", "ElevenLabs", "Anthropic"… */
	provider: string;
	method: string;
	url: string;
	/** Only read for the credential values to take out of everything stored; never stored itself. */
	headers?: Record<string, string>;
	body?: unknown;
	/** HTTP status; 0 = no answer. */
	status: number;
	ok: boolean;
	/** Parsed answer (JSON or text); a download's is `{ bytes, contentType }`. */
	answer?: unknown;
	error?: string;
	ms: number;
	/** A result download (no credential, signed URL). */
	download?: boolean;
}

export interface Described {
	provider: string;
	purpose: string;
	model?: string;
	units?: number;
	unit?: 'token' | 'second' | 'character';
	taskId?: string;
	summary?: string;
	/** The URL as stored: no query values that could sign or authorise. */
	url: string;
}

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const str = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

/** Query parameters kept as they are; every other one keeps its name only (signatures, keys, expiry, policy). */
const PLAIN_QUERY = new Set(['output_format', 'page_size', 'pageNum', 'pageSize', 'search', 'languageCode', 'next_page_token']);

export function storedUrl(url: string, download = false): string {
	try {
		const parsed = new URL(url);
		parsed.username = '';
		parsed.password = '';
		for (const name of [...parsed.searchParams.keys()]) {
			if (download || !PLAIN_QUERY.has(name)) parsed.searchParams.set(name, '…');
		}
		return parsed.toString();
	} catch {
		return '(unreadable URL)';
	}
}

/** The credential values a request carried (header values, a bearer token on its own), to take out of what is stored. */
export function secretsOf(headers: Record<string, string> | undefined): string[] {
	const values: string[] = [];
	for (const [name, value] of Object.entries(headers ?? {})) {
		if (/^(accept|content-type|anthropic-version|x-runway-version|user-agent)$/i.test(name) || !value) continue;
		values.push(value);
		const bearer = /^bearer\s+(.+)$/i.exec(value);
		if (bearer) values.push(bearer[1]);
	}
	return values.filter((value) => value.length >= 6).sort((a, b) => b.length - a.length);
}

const SECRET_FIELD = /^(x-)?(api[-_]?key|api[-_]?secret|secret([-_]?key)?|access[-_]?key|key|password|authorization|token|access[-_]?token|signature)$/i;
const BASE64 = /^[A-Za-z0-9+/=_-]+$/;
const MAX_TEXT = 50_000;

/**
 * A copy of a request or answer fit to store: credential values and secret-named fields redacted, base64 payloads
 * (audio, frames, reference images, data URIs) replaced by their length, very long text cut.
 */
export function scrub<T>(value: T, secrets: string[] = [], depth = 0): T {
	if (typeof value === 'string') {
		if (value.startsWith('data:') || (value.length >= 400 && BASE64.test(value.replace(/\s/g, '')))) {
			return `[${value.length} characters of base64 left out]` as T;
		}
		let text: string = value;
		for (const secret of secrets) text = text.split(secret).join('[redacted]');
		return (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… [${text.length - MAX_TEXT} more characters]` : text) as T;
	}
	if (!value || typeof value !== 'object' || depth > 30) return value;
	if (Array.isArray(value)) return value.map((entry) => scrub(entry, secrets, depth + 1)) as T;
	const out: Json = {};
	for (const [key, entry] of Object.entries(value as Json)) {
		out[key] = SECRET_FIELD.test(key) && typeof entry === 'string' ? '[redacted]' : scrub(entry, secrets, depth + 1);
	}
	return out as T;
}

const characters = (text: unknown) => (typeof text === 'string' ? Array.from(text).length : undefined);
const failure = (attempt: Attempt) => attempt.error ?? (attempt.ok ? undefined : `HTTP ${attempt.status}`);

function anthropic(attempt: Attempt, operation: string): Omit<Described, 'url'> {
	const body = obj(attempt.body);
	const answer = obj(attempt.answer);
	const usage = obj(answer.usage);
	const tokens = Number(usage.input_tokens ?? 0) + Number(usage.output_tokens ?? 0) + Number(usage.cache_read_input_tokens ?? 0);
	const blocks = Array.isArray(answer.content) ? (answer.content as Json[]) : [];
	const said = blocks.map((block) => (block.type === 'tool_use' ? `tool ${String(block.name)}` : block.type === 'text' ? String(block.text).slice(0, 120) : String(block.type)));
	const error = str(obj(answer.error).message);
	return {
		provider: 'anthropic',
		purpose: operation || 'message',
		model: str(answer.model) ?? str(body.model),
		units: attempt.ok ? tokens : undefined,
		unit: 'token',
		summary: attempt.ok ? `${String(answer.stop_reason ?? 'answered')}: ${said.join('; ')}`.slice(0, 300) : (error ?? failure(attempt)),
	};
}

function kling(attempt: Attempt): Omit<Described, 'url'> {
	const body = obj(attempt.body);
	const answer = obj(attempt.answer);
	const data = obj(answer.data);
	const [, kind, inPath] = /\/v1\/videos\/([^/]+)(?:\/([^/?]+))?$/.exec(new URL(attempt.url).pathname) ?? [];
	const submit = attempt.method.toUpperCase() === 'POST';
	const id = str(data.task_id) ?? (inPath ? decodeURIComponent(inPath) : undefined);
	return {
		provider: 'kling',
		// A GET by our own key (rs-…) asks whether an unanswered submit arrived.
		purpose: submit ? 'submit' : inPath?.startsWith('rs-') ? 'lookup' : inPath ? 'poll' : 'list',
		model: str(body.model_name),
		units: submit ? Number(body.duration) || undefined : undefined,
		unit: 'second',
		// As the task ledger names Kling tasks: kind and id (status URLs need both).
		taskId: id && kind ? `${kind}:${id}` : undefined,
		summary: attempt.ok ? [str(data.task_status), str(data.task_status_msg)].filter(Boolean).join(': ') || 'ok' : (str(answer.message) ?? failure(attempt)),
	};
}

function runway(attempt: Attempt): Omit<Described, 'url'> {
	const body = obj(attempt.body);
	const answer = obj(attempt.answer);
	const method = attempt.method.toUpperCase();
	const task = /\/v1\/tasks\/([^/?]+)$/.exec(new URL(attempt.url).pathname)?.[1];
	return {
		provider: 'runway',
		purpose: method === 'POST' ? 'submit' : method === 'DELETE' ? 'cancel' : 'poll',
		model: str(body.model),
		units: method === 'POST' ? Number(body.duration) || undefined : undefined,
		unit: 'second',
		taskId: str(answer.id) ?? (task ? decodeURIComponent(task) : undefined),
		summary: attempt.ok
			? [str(answer.status), str(answer.failure), str(answer.failureCode)].filter(Boolean).join(': ') || 'ok'
			: (str(answer.error) ?? failure(attempt)),
	};
}

function speech(provider: 'elevenlabs' | 'google', attempt: Attempt, operation: string): Omit<Described, 'url'> {
	const body = obj(attempt.body);
	const synthesize = attempt.method.toUpperCase() === 'POST';
	const text = provider === 'google' ? (obj(body.input).text ?? obj(body.input).ssml) : body.text;
	const answer = obj(attempt.answer);
	const audio = str(answer.audio_base64) ?? str(answer.audioContent);
	const error = provider === 'google' ? str(obj(answer.error).message) : str(obj(answer.detail).message) ?? str(answer.detail);
	return {
		provider,
		// A voice preview on the dashboard is told apart from a run's narration.
		purpose: synthesize ? (operation === 'previewVoice' ? 'preview' : 'synthesize') : 'voices',
		model: provider === 'google' ? str(obj(body.voice).name) : str(body.model_id),
		units: synthesize ? characters(text) : undefined,
		unit: 'character',
		summary: attempt.ok ? (audio ? `audio, ${Math.round((audio.length * 3) / 4 / 1024)} KiB` : 'ok') : (error ?? failure(attempt)),
	};
}

const PROVIDERS: Record<string, (attempt: Attempt, operation: string) => Omit<Described, 'url'>> = {
	Anthropic: anthropic,
	Kling: kling,
	Runway: runway,
	ElevenLabs: (attempt, operation) => speech('elevenlabs', attempt, operation),
	'Google Text-to-Speech': (attempt, operation) => speech('google', attempt, operation),
};

/** The record of one request, or undefined for systems that are not AI providers. */
export function describeCall(attempt: Attempt, operation: string): Described | undefined {
	const describer = PROVIDERS[attempt.provider];
	if (!describer) return undefined;
	const url = storedUrl(attempt.url, attempt.download);
	if (attempt.download) {
		const answer = obj(attempt.answer);
		return {
			...describer({ ...attempt, body: undefined, answer: undefined, method: 'GET-download' }, operation),
			purpose: 'download',
			units: undefined,
			taskId: undefined,
			summary: attempt.ok ? `${String(answer.contentType ?? 'file')}, ${String(answer.bytes ?? '?')} bytes` : failure(attempt),
			url,
		};
	}
	return { ...describer(attempt, operation), url };
}
