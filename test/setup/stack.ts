/**
 * Global setup of the e2e, dashboard and browser projects: n8n (Node 24) installed, the package built into dist/
 * (n8n loads it from there) and the dashboard app built into ui/dist (the browser test loads it). Each step is
 * skipped when it is already up to date, so a filtered run (`npm test -- pipeline`) pays for it once.
 */
import { buildPackage } from '../../initialization/build';
import { ensureInstalled } from '../../initialization/install-n8n';
import { buildDashboard } from '../../ui/build';

export default async function setup(): Promise<void> {
	await ensureInstalled(console.log);
	await buildPackage(console.log);
	await buildDashboard(console.log);
}
