import { createServer } from 'node:net';

function isFree(port: number, host = '127.0.0.1'): Promise<boolean> {
	return new Promise((resolve) => {
		const server = createServer();
		server.unref();
		server.once('error', () => resolve(false));
		server.listen(port, host, () => server.close(() => resolve(true)));
	});
}

/** `preferred` when free, else the next free port above it (so a second instance does not collide). */
export async function freePortNear(preferred: number): Promise<number> {
	for (let port = preferred; port < preferred + 200; port++) if (await isFree(port)) return port;
	throw new Error(`No free TCP port between ${preferred} and ${preferred + 200}.`);
}

/** A port the OS says is free right now. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
		});
	});
}
