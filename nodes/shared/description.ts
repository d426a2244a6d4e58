import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

/**
 * The Operation parameter of a node, or of one resource of it (`resource` set): every node has the same one.
 * Options stay sorted by name, with an `action` each, as n8n's linter asks of a literal Operation parameter.
 */
export function operationField(options: INodePropertyOptions[], defaultValue: string, resource?: string): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		...(resource ? { displayOptions: { show: { resource: [resource] } } } : {}),
		options,
		default: defaultValue,
	};
}

/** The Options collection of an operation: the settings most runs leave alone. */
export function optionsCollection(displayOptions: INodeProperties['displayOptions'], options: INodeProperties[]): INodeProperties {
	return { displayName: 'Options', name: 'options', type: 'collection', placeholder: 'Add Option', default: {}, displayOptions, options };
}

/** Options → Concurrency of the slow nodes (voicing, rendering): the shared item loop reads it from item 0. */
export function concurrencyOption(description: string): INodeProperties {
	return {
		displayName: 'Concurrency',
		name: 'concurrency',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 16 },
		default: 3,
		description,
	};
}

/** The Language parameter of the nodes that speak, write or draw a run's text: the run's `language` (BCP 47). */
export function languageField(displayOptions: INodeProperties['displayOptions'], what: string): INodeProperties {
	return {
		displayName: 'Language',
		name: 'language',
		type: 'string',
		default: "={{ $json.options.language || 'en' }}",
		placeholder: 'e.g. de, ja-JP, ar',
		description: `BCP 47 language of the run, e.g. de, ja-JP or ar: ${what}. Defaults to the run options of the incoming item.`,
		displayOptions,
	};
}
