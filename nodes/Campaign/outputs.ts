/**
 * Run Accept, Run Resume and Batch Create answer a webhook either way, so they get a second output (Rejected) for the
 * 4xx answer; Estimate, Await Approval and Approval Result branch the pipeline; every other operation has one output. n8n evaluates this function from the node's parameters
 * (the `outputs` expression in Campaign.node.ts, as n8n's own Switch node does), so it must be plain
 * self-contained JavaScript: no imports, no helpers from outside its body.
 */
export const configuredOutputs = (parameters: { resource?: string; operation?: string }) => {
	const resource = parameters.resource ?? 'run';
	if (resource === 'run' && parameters.operation === 'accept') {
		return [
			{ type: 'main', displayName: 'Accepted' },
			{ type: 'main', displayName: 'Rejected' },
		];
	}
	if (resource === 'batch' && parameters.operation === 'create') {
		return [
			{ type: 'main', displayName: 'Accepted' },
			{ type: 'main', displayName: 'Rejected' },
		];
	}
	if (resource === 'run' && parameters.operation === 'resume') {
		return [
			{ type: 'main', displayName: 'Resumed' },
			{ type: 'main', displayName: 'Rejected' },
		];
	}
	if (resource === 'webhookRequest') {
		return [
			{ type: 'main', displayName: 'Accepted' },
			{ type: 'main', displayName: 'Rejected' },
		];
	}
	if (resource === 'run' && parameters.operation === 'estimate') {
		return [
			{ type: 'main', displayName: 'Within Budget' },
			{ type: 'main', displayName: 'Over Budget' },
		];
	}
	if (resource === 'run' && parameters.operation === 'awaitApproval') {
		return [
			{ type: 'main', displayName: 'Wait for Approval' },
			{ type: 'main', displayName: 'No Approval Needed' },
		];
	}
	if (resource === 'run' && parameters.operation === 'approvalResult') {
		return [
			{ type: 'main', displayName: 'Approved' },
			{ type: 'main', displayName: 'Stopped' },
			{ type: 'main', displayName: 'Still Waiting' },
		];
	}
	return [{ type: 'main' }];
};
