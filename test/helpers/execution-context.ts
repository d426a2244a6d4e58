/**
 * The one fake n8n execution context of the node tests, built like n8n's own node tests build theirs:
 * `mock<IExecuteFunctions>()` from vitest-mock-extended, with the calls our nodes make answered from plain data.
 *
 * - items in (plain JSON, or whole items with binary data);
 * - parameters as n8n hands them after evaluating expressions: a value may be a function of the item
 *   (standing in for an expression), dotted names (`options.concurrency`) read into collections, and a parameter
 *   that is not set gives the caller's fallback or throws as n8n does;
 * - credentials by type, of which `attached` are listed on the node (what "a credential is attached" means); as
 *   in n8n, only an attached credential can be read, and any other type throws n8n's message;
 * - Continue On Fail, the binary helpers, and a silent logger.
 *
 * Every call is recorded by the mock, so a test can also assert what the node asked for.
 */
import type { Readable } from 'node:stream';
import type {
	IBinaryData,
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
} from 'n8n-workflow';
import { mock, type MockProxy } from 'vitest-mock-extended';

/** A parameter value, or a function standing in for an expression evaluated per item. */
export type Parameter = unknown | ((json: IDataObject, itemIndex: number) => unknown);
export type Parameters = Record<string, Parameter>;

export interface ContextOptions {
	items: (IDataObject | INodeExecutionData)[];
	/** The node's parameters, or a function giving them per item. */
	parameters: Parameters | ((itemIndex: number, json: IDataObject) => Parameters);
	/** Credential data by credential type. */
	credentials?: Record<string, ICredentialDataDecryptedObject | IDataObject>;
	/** Credential types listed as attached on the node: all given ones (default), or only these. */
	attached?: string[];
	continueOnFail?: boolean;
	/** What getExecutionId() answers (default "test-execution"). */
	executionId?: string;
	/** Name and type of the node in the error messages. */
	node?: Partial<INode>;
}

const isItem = (item: IDataObject | INodeExecutionData): item is INodeExecutionData =>
	'json' in item && typeof item.json === 'object' && item.json !== null && !Array.isArray(item.json);

export function executionContext(options: ContextOptions): MockProxy<IExecuteFunctions> {
	const items: INodeExecutionData[] = options.items.map((item) => (isItem(item) ? item : { json: item }));
	const credentials = options.credentials ?? {};
	const attached = options.attached ?? Object.keys(credentials);
	const node: INode = {
		id: 'test-node',
		name: 'Test Node',
		type: 'n8n-nodes-reelsmith.test',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		...options.node,
		credentials: Object.fromEntries(attached.map((type) => [type, { id: type, name: type }])),
	};
	const parametersOf = (itemIndex: number): Parameters =>
		typeof options.parameters === 'function' ? options.parameters(itemIndex, items[itemIndex]?.json ?? {}) : options.parameters;
	const resolve = (value: Parameter, itemIndex: number) =>
		typeof value === 'function' ? (value as (json: IDataObject, index: number) => unknown)(items[itemIndex]?.json ?? {}, itemIndex) : value;

	const helpers = mock<IExecuteFunctions['helpers']>();
	helpers.assertBinaryData.mockImplementation((itemIndex: number, property: string | IBinaryData) => {
		if (typeof property !== 'string') return property;
		const binary = items[itemIndex]?.binary?.[property];
		if (!binary) throw new Error(`This operation expects the node's input data to contain a binary file '${property}'`);
		return binary;
	});
	helpers.getBinaryDataBuffer.mockImplementation(async (itemIndex: number, property: string | IBinaryData) =>
		Buffer.from((typeof property === 'string' ? items[itemIndex].binary![property] : property).data, 'base64'),
	);
	helpers.prepareBinaryData.mockImplementation(async (data: Buffer | Readable, fileName?: string, mimeType?: string) => {
		if (!Buffer.isBuffer(data)) throw new Error('test context: prepareBinaryData takes a Buffer here, not a stream');
		return { data: data.toString('base64'), fileName, mimeType: mimeType ?? 'application/octet-stream' };
	});

	// A real request, as n8n's helper makes it for JSON calls: throws on a status of 400 or more and on no answer.
	helpers.httpRequest.mockImplementation(async (request) => {
		const response = await fetch(String(request.url), {
			method: request.method ?? 'GET',
			headers: { ...(request.json ? { 'content-type': 'application/json' } : {}), ...(request.headers as Record<string, string>) },
			body: request.body === undefined ? undefined : request.json ? JSON.stringify(request.body) : (request.body as string),
			signal: AbortSignal.timeout(request.timeout ?? 300_000),
		});
		const text = await response.text();
		if (response.status >= 400) throw new Error(`Request failed with status code ${response.status}: ${text.slice(0, 200)}`);
		try {
			return JSON.parse(text);
		} catch {
			return text;
		}
	});

	const context = mock<IExecuteFunctions>({ helpers, logger: mock() });
	context.getInputData.mockReturnValue(items);
	context.getNode.mockReturnValue(node);
	context.continueOnFail.mockReturnValue(options.continueOnFail ?? false);
	context.getExecutionId.mockReturnValue(options.executionId ?? 'test-execution');
	context.getNodeParameter.mockImplementation(((name: string, itemIndex: number, fallback?: unknown) => {
		const [head, ...rest] = name.split('.');
		const values = parametersOf(itemIndex);
		let value = head in values ? resolve(values[head], itemIndex) : undefined;
		for (const part of rest) value = (value as Record<string, unknown> | undefined)?.[part];
		if (value !== undefined) return value;
		if (fallback !== undefined) return fallback;
		if (head in values) return undefined;
		throw new Error(`Could not get parameter "${name}"`);
	}) as IExecuteFunctions['getNodeParameter']);
	context.getCredentials.mockImplementation(async (type: string) => {
		const data = attached.includes(type) ? credentials[type] : undefined;
		if (!data) throw new Error(`Node "${node.name}" does not have any credentials of type "${type}" set`);
		return { ...data } as ICredentialDataDecryptedObject;
	});
	return context;
}
