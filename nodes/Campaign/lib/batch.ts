import { parse } from 'csv-parse/sync';
import { nulProblem, wellFormed } from '../../shared/storable';
import { DEFAULT_CAMPAIGN, FIELD_RULES, validateRunRequest, type RequestField } from './request';

/**
 * A batch request (POST /webhook/reelsmith/batches, the dashboard upload, Campaign → Create Batch): many run requests
 * at once. Each row is an ordinary run request (lib/request.ts, the one schema) over the batch's defaults; rows are
 * checked one by one, so the answer names every bad row by number and field while the good ones are queued.
 *
 *   JSON  {"campaign": "Launch", "defaults": {"preset": "shorts"}, "rows": [{"title": "…", "script": "…"}, …]}
 *         or {"campaign": "Launch", "csv": "title,script\n…"}, or the rows alone as an array
 *   CSV   a header row of run request fields (any case; "body" may name the script), one run per record
 */
export const MAX_BATCH_ROWS = 100;
export const MAX_BATCH_BYTES = 2 * 1024 * 1024;

export interface RowProblem {
	/** 1 = the first script of the batch (the CSV header is not a row). */
	row: number;
	/** The CSV line the record starts on. */
	line?: number;
	field: string;
	message: string;
}

interface RawRow {
	row: number;
	line?: number;
	fields: Record<string, unknown>;
	/** A record that cannot be read as a row (more cells than columns). */
	problem?: { field: string; message: string };
}

type Valid = Extract<ReturnType<typeof validateRunRequest>, { ok: true }>;
export interface GoodRow extends Valid {
	row: number;
}

export type BatchCheck =
	| { ok: true; campaign: string; source: 'json' | 'csv'; total: number; good: GoodRow[]; rejected: RowProblem[] }
	| { ok: false; status: 400 | 413; field: string; message: string };

type Failure = Extract<BatchCheck, { ok: false }>;
const fail = (field: string, message: string, status: 400 | 413 = 400): Failure => ({ ok: false, status, field, message });

/** How a CSV cell becomes the JSON value of its field; every run request field is listed (typed against the schema). */
const CELL_KINDS: Record<RequestField, 'text' | 'number' | 'boolean' | 'json' | 'list'> = {
	script: 'text',
	format: 'text',
	title: 'text',
	campaign: 'text',
	priority: 'number',
	preset: 'text',
	style: 'text',
	terminalScheme: 'text',
	terminalCursor: 'text',
	terminalPrompt: 'text',
	terminalChrome: 'text',
	terminalEffects: 'list',
	iterations: 'number',
	threshold: 'number',
	concurrency: 'number',
	validationAttempts: 'number',
	targetDuration: 'number',
	sceneCount: 'number',
	subtitles: 'text',
	transition: 'text',
	loudnessTarget: 'number',
	narrateAction: 'text',
	voiceMap: 'json',
	narrator: 'json',
	planner: 'text',
	video: 'list',
	speech: 'list',
	budget: 'number',
	campaignBudget: 'number',
	approval: 'boolean',
	referenceFrames: 'text',
	references: 'json',
	variations: 'number',
	callbackUrl: 'text',
	events: 'list',
	language: 'text',
	music: 'json',
	sceneMedia: 'json',
	intro: 'json',
	outro: 'json',
};
const FIELDS = Object.keys(CELL_KINDS) as RequestField[];
/** A post's words: "body" is the script's other name in a row. */
const ALIASES: Record<string, RequestField> = { body: 'script' };

const columnList = () => `${FIELDS.join(', ')} (or "body" for script)`;

/** The batch from a webhook body (object, JSON text or CSV text) and its content type. */
export function validateBatch(body: unknown, contentType = '', campaignParameter = ''): BatchCheck {
	const read = readBatch(body, contentType);
	if (!read.ok) return read;
	const campaign = (campaignParameter.trim() || read.campaign || DEFAULT_CAMPAIGN).trim();
	if (read.rows.length === 0) {
		return fail(
			'rows',
			`The batch has no rows. Send at least one script (${read.source === 'csv' ? 'a record under the header row' : '"rows": [{"script": "…"}]'}).`,
		);
	}
	if (read.rows.length > MAX_BATCH_ROWS) {
		return fail(
			'rows',
			`The batch has ${read.rows.length} rows; a batch takes at most ${MAX_BATCH_ROWS}. Split it into batches of ${MAX_BATCH_ROWS} or fewer.`,
		);
	}
	const good: GoodRow[] = [];
	const rejected: RowProblem[] = [];
	for (const raw of read.rows) {
		const where = { row: raw.row, ...(raw.line ? { line: raw.line } : {}) };
		const named = raw.problem ?? nameFields(raw.fields);
		if ('field' in named) {
			rejected.push({ ...where, field: named.field, message: named.message });
			continue;
		}
		const rowCampaign = named.value.campaign;
		if (rowCampaign !== undefined && rowCampaign !== null && rowCampaign !== '' && String(rowCampaign).trim() !== campaign) {
			rejected.push({
				...where,
				field: 'campaign',
				message: `"campaign" is the batch's ("${campaign}") for every row, but this row names "${String(rowCampaign).slice(0, 60)}". Leave it out of the row, or send the row in a batch of that campaign.`,
			});
			continue;
		}
		const check = validateRunRequest({ ...read.defaults, ...named.value, campaign });
		if (check.ok) good.push({ ...check, row: raw.row });
		else rejected.push({ ...where, field: check.field, message: check.message });
	}
	return { ok: true, campaign, source: read.source, total: read.rows.length, good, rejected };
}

/** "Row 3 (line 5), preset: …" — one line per bad row, for logs and the canvas. */
export const describeProblem = (p: RowProblem) => `Row ${p.row}${p.line ? ` (line ${p.line})` : ''}, ${p.field}: ${p.message}`;

type Read = { ok: true; source: 'json' | 'csv'; campaign?: string; defaults: Record<string, unknown>; rows: RawRow[] } | Failure;

function readBatch(body: unknown, contentType: string): Read {
	const example = 'Send {"campaign": "…", "rows": [{"title": "…", "script": "…"}]}, or CSV with a header row (title,script,…).';
	let value: unknown = Buffer.isBuffer(body) ? body.toString('utf8') : body;
	if (typeof value === 'string') {
		const bytes = Buffer.byteLength(value, 'utf8');
		if (bytes > MAX_BATCH_BYTES) return tooBig(bytes);
		if (value.trim() === '') return fail('body', `The batch is empty. ${example}`);
		const text = value.replace(/^\uFEFF/, '');
		if (/csv/i.test(contentType) || !/^\s*[[{]/.test(text)) return csvBatch(text, undefined, {});
		try {
			value = JSON.parse(text);
		} catch (error) {
			return fail('body', `The batch is not valid JSON (${(error as Error).message}). ${example}`);
		}
	} else if (value !== undefined && value !== null && Buffer.byteLength(JSON.stringify(value), 'utf8') > MAX_BATCH_BYTES) {
		return tooBig(Buffer.byteLength(JSON.stringify(value), 'utf8'));
	}
	if (Array.isArray(value)) value = { rows: value };
	if (!value || typeof value !== 'object') return fail('body', `The batch must be a JSON object or CSV text. ${example}`);
	const nul = nulProblem(value as Record<string, unknown>);
	if (nul) return fail(nul.field, nul.message);
	const object = wellFormed(value as Record<string, unknown>);
	const unknown = Object.keys(object).find((key) => !['campaign', 'defaults', 'rows', 'csv'].includes(key));
	if (unknown)
		return fail(
			unknown,
			`Unknown field "${unknown}" in the batch. A batch has "campaign", "defaults" and "rows" (or "csv"); run fields go in "defaults" or in each row.`,
		);
	const { campaign, defaults = {}, rows, csv } = object as Record<string, unknown>;
	if (campaign !== undefined && campaign !== null && (typeof campaign !== 'string' || !campaign.trim() || campaign.length > 200)) {
		return fail('campaign', `"campaign" must be ${FIELD_RULES.campaign}.`);
	}
	if (!defaults || typeof defaults !== 'object' || Array.isArray(defaults)) {
		return fail('defaults', '"defaults" must be an object of run request fields that every row starts from, e.g. {"preset": "shorts"}.');
	}
	const defaultsNamed = nameFields(defaults as Record<string, unknown>);
	if ('field' in defaultsNamed) return fail(`defaults.${defaultsNamed.field}`, defaultsNamed.message);
	const name = typeof campaign === 'string' ? campaign : undefined;
	if (csv !== undefined) {
		if (rows !== undefined) return fail('csv', 'Send either "rows" or "csv", not both.');
		if (typeof csv !== 'string') return fail('csv', '"csv" must be the text of a CSV file with a header row.');
		return csvBatch(csv.replace(/^\uFEFF/, ''), name, defaultsNamed.value);
	}
	if (!Array.isArray(rows)) return fail('rows', `"rows" must be a list of run requests. ${example}`);
	const raw = rows.map((fields, index) => ({ row: index + 1, fields: fields as Record<string, unknown> }));
	const notObject = raw.find((r) => !r.fields || typeof r.fields !== 'object' || Array.isArray(r.fields));
	if (notObject) return fail('rows', `Row ${notObject.row} is not an object. Each row is a run request such as {"title": "…", "script": "…"}.`);
	return { ok: true, source: 'json', campaign: name, defaults: defaultsNamed.value, rows: raw };
}

const tooBig = (bytes: number) =>
	fail(
		'body',
		`The batch is ${(bytes / 1024 / 1024).toFixed(1)} MB; a batch takes at most ${MAX_BATCH_BYTES / 1024 / 1024} MB. Split it into smaller batches.`,
		413,
	);

/** The row's fields under their run request names ("body" → script, "Title" → title); a field given twice is a problem. */
function nameFields(fields: Record<string, unknown>): { value: Record<string, unknown> } | { field: string; message: string } {
	const value: Record<string, unknown> = {};
	for (const [key, cell] of Object.entries(fields)) {
		const field = fieldOf(key) ?? key;
		if (field in value) return { field, message: `"${field}" is given twice in this row (as "${key}" too). Keep one of them.` };
		value[field] = cell;
	}
	return { value };
}

function fieldOf(column: string): RequestField | undefined {
	const name = column.trim().toLowerCase();
	return ALIASES[name] ?? FIELDS.find((field) => field.toLowerCase() === name);
}

/** CSV (RFC 4180: quoted commas, quotes and newlines in cells; a BOM) → rows of typed fields. */
export function csvBatch(text: string, campaign: string | undefined, defaults: Record<string, unknown>): Read {
	let records: Array<{ record: string[]; info: { lines: number } }>;
	try {
		records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as typeof records;
	} catch (error) {
		const e = error as Error & { lines?: number };
		return fail(
			'csv',
			`The CSV could not be read${e.lines ? ` at line ${e.lines}` : ''}: ${e.message.replace(/^.*?:\s*/, '')}. Check the quotes: a cell with a comma, quote or line break is written in double quotes, and a quote inside it is doubled ("").`,
		);
	}
	if (records.length === 0) return fail('csv', `The CSV is empty. Its first row names the columns: ${columnList()}.`);
	const header = records[0].record.map((cell) => cell.trim());
	const columns: RequestField[] = [];
	for (const [index, cell] of header.entries()) {
		const field = fieldOf(cell);
		if (!field) {
			return fail(
				'columns',
				`Unknown column "${cell.slice(0, 60)}" (column ${index + 1} of the header row). Rename or remove it; the columns are run request fields: ${columnList()}.`,
			);
		}
		if (columns.includes(field)) return fail('columns', `The column "${field}" appears twice in the header row (column ${index + 1}). Keep one.`);
		columns.push(field);
	}
	if (!columns.includes('script'))
		return fail('columns', `The header row has no "script" (or "body") column; every row needs its script. The header row is: ${header.join(', ')}.`);
	// info.lines is the line a record ends on; the next record starts on the line after it.
	const rows: RawRow[] = records.slice(1).map(({ record }, index) => {
		const where = { row: index + 1, line: records[index].info.lines + 1 };
		if (record.length > columns.length) {
			const message = `This row has ${record.length} cells but the header row names ${columns.length} columns. Write a cell that holds a comma in double quotes ("a, b").`;
			return { ...where, fields: {}, problem: { field: 'columns', message } };
		}
		const fields: Record<string, unknown> = {};
		columns.forEach((field, i) => {
			const cell = record[i];
			if (cell !== undefined && cell.trim() !== '') fields[field] = cellValue(field, cell);
		});
		return { ...where, fields };
	});
	return { ok: true, source: 'csv', campaign, defaults, rows };
}

/** A cell as its field's JSON value (lists may be "kling, local"); a cell that does not read as one stays text, so the rule's message quotes it. */
function cellValue(field: RequestField, cell: string): unknown {
	const text = field === 'script' ? cell : cell.trim();
	switch (CELL_KINDS[field]) {
		case 'number':
			return text !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
		case 'boolean':
			return /^(true|yes|1)$/i.test(text) ? true : /^(false|no|0)$/i.test(text) ? false : text;
		case 'json':
			return safeJson(text);
		case 'list':
			return text.startsWith('[') ? safeJson(text) : text.split(/[,;]\s*/).filter(Boolean);
		default:
			return text;
	}
}

function safeJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}
