import type { IExecuteFunctions } from 'n8n-workflow';
import { hasKeys, keyFieldsOf, PAID_CREDENTIALS } from '../../lib/providers';

/**
 * Which paid credentials are usable here: attached to this node and with their key fields filled. A credential
 * n8n cannot load (deleted, never created) counts as not configured rather than failing the run.
 */
export async function configuredCredentials(this: IExecuteFunctions, itemIndex: number): Promise<Set<string>> {
	const attached = this.getNode().credentials ?? {};
	const ready = new Set<string>();
	for (const type of PAID_CREDENTIALS) {
		if (!attached[type]) continue;
		try {
			const data = (await this.getCredentials(type, itemIndex)) as Record<string, unknown>;
			if (hasKeys(data, keyFieldsOf(type))) ready.add(type);
		} catch {
			// not configured
		}
	}
	return ready;
}
