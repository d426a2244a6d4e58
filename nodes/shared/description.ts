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
