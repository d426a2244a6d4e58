/**
 * The machine's Redis for the queue-mode tests (this machine kind runs Redis 7 on 127.0.0.1:6379): a database index
 * of the tests' own, and helpers to tell whether Redis is there and to remove what a test's Bull prefix left.
 */
import Redis from 'ioredis';
import type { RedisSettings } from '../../initialization/n8n-queue';

export const TEST_REDIS: RedisSettings = {
	host: process.env.REELSMITH_TEST_REDIS_HOST || '127.0.0.1',
	port: Number(process.env.REELSMITH_TEST_REDIS_PORT || 6379),
	db: 11,
};

const connect = () =>
	new Redis({ ...TEST_REDIS, lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });

/** Whether the tests' Redis answers PING. */
export async function redisReachable(): Promise<boolean> {
	const redis = connect();
	try {
		await redis.connect();
		return (await redis.ping()) === 'PONG';
	} catch {
		return false;
	} finally {
		redis.disconnect();
	}
}

/** Deletes the keys matching `pattern` (e.g. "<prefix>:*") in the tests' database only. */
export async function deleteKeys(pattern: string): Promise<number> {
	const redis = connect();
	let deleted = 0;
	try {
		await redis.connect();
		let cursor = '0';
		do {
			const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
			if (keys.length) deleted += await redis.del(...keys);
			cursor = next;
		} while (cursor !== '0');
	} catch {
		// Redis gone: nothing to clean
	} finally {
		redis.disconnect();
	}
	return deleted;
}
