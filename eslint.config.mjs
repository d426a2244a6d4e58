import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

// Non-cloud preset: Reelsmith needs runtime libraries and spawns ffmpeg/espeak-ng, which n8n Cloud does not allow.
// Every rule switched off below says why.
export default [
	...configWithoutCloudSupport,
	{
		ignores: ['dist/**', 'test/**', 'initialization/**', 'ui/**', 'bench/**', 'workflows/**', '*.mjs'],
	},
	{
		files: ['package.json'],
		rules: {
			// pg (store), minio (object storage) and zod (request validation) are what the nodes are made of;
			// n8n installs a community package into its own tree, so they do not clash with n8n's copies.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
			// The overrides pin transitive dev-only dependencies (s3rver → koa →
			// is-generator-function 1.1 breaks under tsx; unrs-resolver for the lint tooling); they never reach users of the package.
			'@n8n/community-nodes/no-overrides-field': 'off',
		},
	},
	{
		files: ['nodes/shared/transport/**'],
		rules: {
			// Transports run below the node layer and have no node to attach; nodes wrap these errors in
			// NodeOperationError with the item index (nodes/shared/router.ts).
			'@n8n/community-nodes/require-node-api-error': 'off',
		},
	},
];
