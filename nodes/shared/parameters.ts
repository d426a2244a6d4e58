import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

/**
 * A JSON parameter as an object: expressions give objects, a typed-in field gives a string.
 * Empty means "not given" (undefined); text that is not JSON is an error naming the field.
 * `optional`: a default expression that cannot be evaluated for this item (e.g. {{ $json.options.voiceMap }} on an
 * item without options) also means "not given". Every node reads its JSON parameters through this one function.
 */
export function jsonParameter(
	context: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
	options: { optional?: boolean; bareText?: boolean } = {},
): unknown {
	let value: unknown;
	try {
		value = context.getNodeParameter(name, itemIndex, undefined) as unknown;
	} catch (error) {
		if (options.optional) return undefined;
		throw new NodeOperationError(context.getNode(), `"${label}" could not be read: ${(error as Error).message}`, {
			itemIndex,
			description: `Check the expression in "${label}".`,
		});
	}
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') return value;
	const text = value.trim();
	if (!text || text === 'undefined' || text === 'null') return undefined;
	// `bareText`: text that does not start like JSON is a value of its own (e.g. an object key typed in).
	if (options.bareText && !/^[[{"]/.test(text)) return text;
	try {
		return JSON.parse(text);
	} catch (error) {
		throw new NodeOperationError(context.getNode(), `"${label}" is not valid JSON: ${(error as Error).message}`, {
			itemIndex,
			description: `Set "${label}" to an expression such as {{ $json.${name} }} or to a JSON object.`,
		});
	}
}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A text parameter whose default expression reads the item (e.g. {{ $json.options.style }}): when the item lacks
 * the field the expression fails or gives nothing; both come back as '' so the caller's message names the field.
 */
export function textParameter(context: IExecuteFunctions, name: string, itemIndex: number): string {
	try {
		const value = context.getNodeParameter(name, itemIndex, '') as unknown;
		return value === undefined || value === null ? '' : String(value).trim();
	} catch {
		return '';
	}
}
