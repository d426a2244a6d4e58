/**
 * The API contract (ui/server/openapi.ts): every route the dashboard app registers and every webhook of the workflows
 * is in /api/openapi.json, every example in it passes its own schema (Ajv, JSON Schema 2020-12, as OpenAPI 3.1 uses),
 * and a route without a description stops the app from starting.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Hono } from 'hono';
import { describe, it } from 'vitest';
import { REPO_ROOT } from '../../initialization/install-n8n';
import { createApp } from '../../ui/server/app';
import { Sessions } from '../../ui/server/auth';
import type { Deps } from '../../ui/server/context';
import { describeRoute, openApiPath, undocumented } from '../../ui/server/openapi';

// Ajv 8 with draft 2020-12 comes with n8n (installed by the test setup); the root's Ajv 6 knows draft-07 only.
const n8nRequire = createRequire(join(REPO_ROOT, 'initialization', 'n8n', 'node_modules', 'package.json'));
const Ajv2020 = n8nRequire('ajv/dist/2020').default;
const addFormats = n8nRequire('ajv-formats').default;

function dashboardApp() {
	// Registering routes needs no database: the pool and the event hub are only touched by requests.
	const deps = { events: { onChange: () => {} }, webhookBase: 'http://n8n.example:5678/webhook' } as unknown as Deps;
	return createApp(deps, new Sessions(null as never), { distDir: '/nonexistent' });
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('the API contract', () => {
	const app = dashboardApp();
	let document: any;

	it('is served without a login as OpenAPI 3.1, and rendered at /api/docs from the local swagger-ui-dist', async () => {
		const answer = await app.request('/api/openapi.json');
		assert.equal(answer.status, 200);
		document = await answer.json();
		assert.equal(document.openapi, '3.1.0');
		const page = await app.request('/api/docs');
		assert.equal(page.status, 200);
		const html = await page.text();
		assert.match(html, /swagger-ui-bundle\.js/);
		const script = await app.request('/api/docs/swagger-ui-bundle.js');
		assert.equal(script.status, 200);
		assert.ok((await script.text()).length > 100_000, 'the Swagger UI bundle is served from here, not a CDN');
		assert.equal((await app.request('/api/docs/init.js')).status, 200);
		assert.equal((await app.request('/api/docs/..%2Fpackage.json')).status, 404);
	});

	it('has every route the app registers, with its method', () => {
		const registered = app.routes.filter((route) => route.method !== 'ALL');
		assert.ok(registered.length > 20, `the app registers its routes (${registered.length})`);
		const missing = registered.filter((route) => !document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()]);
		assert.deepEqual(missing.map((route) => `${route.method} ${route.path}`), []);
		// And nothing more: each documented dashboard operation is a registered route.
		const byPath = new Set(registered.map((route) => `${route.method.toLowerCase()} ${openApiPath(route.path)}`));
		for (const [path, item] of Object.entries<any>(document.paths)) {
			if (item.servers) continue; // an n8n webhook
			for (const method of Object.keys(item)) assert.ok(byPath.has(`${method} ${path}`), `${method} ${path} is registered`);
		}
	});

	it('has every webhook of the workflows, on n8n', () => {
		const hooks = new Set<string>();
		const dir = join(REPO_ROOT, 'workflows');
		for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
			for (const node of JSON.parse(readFileSync(join(dir, file), 'utf8')).nodes) {
				if (node.type === 'n8n-nodes-base.webhook') hooks.add(`/webhook/${node.parameters.path}`);
				if (node.type === 'n8n-nodes-base.wait' && node.parameters.resume === 'webhook') hooks.add('/webhook-waiting/{executionId}');
			}
		}
		assert.ok(hooks.has('/webhook/reelsmith/runs') && hooks.has('/webhook/reelsmith/resume'), [...hooks].join(', '));
		const documented = Object.entries<any>(document.paths).filter(([, item]) => item.servers).map(([path]) => path);
		assert.deepEqual(documented.sort(), [...hooks].sort());
		for (const path of hooks) assert.equal(document.paths[path].servers[0].url, 'http://n8n.example:5678');
		// The run request is the webhook's own schema: its fields, the rules in words, strict.
		const request = document.components.schemas.RunRequest;
		assert.deepEqual(request.required, ['script']);
		assert.equal(request.additionalProperties, false);
		assert.match(request.properties.preset.description, /youtube/);
	});

	it('documents the body every JSON route checks, and the { error } answer', () => {
		const login = document.paths['/api/login'].post;
		assert.deepEqual(login.requestBody.content['application/json'].schema.required, ['email', 'password']);
		const createKey = document.paths['/api/keys'].post;
		assert.deepEqual(createKey.security, [{ session: [] }, { apiKey: [] }]);
		assert.ok(createKey.responses['403'] && createKey.responses['400'] && createKey.responses['201']);
		assert.equal(createKey.responses['400'].content['application/json'].schema.$ref, '#/components/schemas/Error');
		assert.deepEqual(document.components.schemas.Error.required, ['error']);
		// The dashboard's run form takes the webhook's request without "campaign" (the page's campaign wins).
		const start = document.paths['/api/campaigns/{id}/runs'].post.requestBody.content['application/json'].schema;
		assert.ok(start.properties.script && !start.properties.campaign);
	});

	it('every example passes its schema', () => {
		const ajv = new Ajv2020({ strict: false, allErrors: true });
		addFormats(ajv);
		let checked = 0;
		const failures: string[] = [];
		for (const [path, item] of Object.entries<any>(document.paths)) {
			for (const method of METHODS) {
				const operation = item[method];
				if (!operation) continue;
				const media = [
					...Object.entries<any>(operation.responses).map(([status, answer]) => [status, answer.content?.['application/json']]),
					['request', operation.requestBody?.content?.['application/json']],
				];
				for (const [what, content] of media) {
					if (!content?.schema || content.example === undefined) continue;
					// $refs point into the document's components; the schema is checked with them beside it.
					const validate = ajv.compile({ ...content.schema, components: document.components });
					checked++;
					if (!validate(content.example)) failures.push(`${method} ${path} ${what}: ${ajv.errorsText(validate.errors)}`);
				}
			}
		}
		assert.deepEqual(failures, []);
		assert.ok(checked >= 30, `${checked} examples checked`);
	});

	it('an example that breaks its schema is caught (the check can fail)', () => {
		const ajv = new Ajv2020({ strict: false });
		addFormats(ajv);
		const schema = document.paths['/webhook/reelsmith/runs'].post.requestBody.content['application/json'].schema;
		const validate = ajv.compile({ ...schema, components: document.components });
		assert.equal(validate({ script: 'INT. LAB - NIGHT', preset: 'tiktok' }), false);
		assert.equal(validate({ script: 'INT. LAB - NIGHT', unknownField: 1 }), false);
		assert.equal(validate({ script: 'INT. LAB - NIGHT', preset: 'shorts' }), true);
	});

	it('refuses to start with a route that has no description, naming it', () => {
		const sub = new Hono();
		sub.get('/described', describeRoute({ tag: 'x', summary: 'x', responses: { 200: { description: 'ok' } } }), (c) => c.text('ok'));
		sub.post('/forgotten', (c) => c.text('no'));
		const outer = new Hono();
		outer.route('/api/thing', sub);
		assert.deepEqual(undocumented(outer.routes), ['POST /api/thing/forgotten']);
	});
});
