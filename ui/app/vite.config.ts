import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The dashboard app. `vite build` writes ui/dist, which the API server serves at `/`. For `npm run dev -w ui`
 * point REELSMITH_API at a running dashboard server (e.g. http://127.0.0.1:5680) so /api goes there.
 */
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
	root,
	base: '/',
	plugins: [react()],
	build: {
		outDir: fileURLToPath(new URL('../dist', import.meta.url)),
		emptyOutDir: true,
		sourcemap: false,
		chunkSizeWarningLimit: 1500,
	},
	server: {
		proxy: { '/api': { target: process.env.REELSMITH_API ?? 'http://127.0.0.1:5680', changeOrigin: false } },
	},
});
