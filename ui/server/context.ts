import type { Pool } from 'pg';
import type { CallbackSettings } from '../../nodes/shared/callbacks/settings';
import type { Storage } from '../../nodes/shared/transport/storage';
import type { EventHub } from './events';
import type { N8nQueue } from './n8nQueue';

/** Who is logged in, as every handler sees it. `campaignIds` is null for an admin (sees every campaign). */
export interface SessionUser {
	id: string;
	email: string;
	name: string | null;
	role: 'admin' | 'manager';
	campaignIds: string[] | null;
	tokenHash: string;
}

/** What the handlers share: one pool, one storage client, the n8n webhooks, the live event hub. */
export interface Deps {
	db: Pool;
	/** Talks to the bucket (checks that an object exists). */
	storage: Storage;
	/** Signs download links with the address browsers reach the store at (may differ from `storage`'s, e.g. in Docker). */
	presigner: Storage;
	webhookBase: string;
	webhookToken: string;
	/** How many runs may be starting or running at once (the dispatcher's Max Running); queue positions count against it. */
	maxRunning: number;
	events: EventHub;
	/** n8n's job queue in Redis (queue mode), or regular mode: the System view and /api/health read it. */
	queue: N8nQueue;
	/** /api/health answers 503 when a run's lease expired longer ago than this (REELSMITH_HEALTH_EXPIRED_LEASE_SECONDS). */
	expiredLeaseAlertSeconds: number;
	/** How "send again" sends a run's callbacks (REELSMITH_CALLBACK_*, the same as n8n's). */
	callbacks: CallbackSettings;
	/** Cookie `Secure` flag: true behind HTTPS. */
	secureCookie: boolean;
	/** Take the client address for the login rate limit from X-Forwarded-For (only behind a proxy you run). */
	trustProxy: boolean;
	log: (line: string) => void;
}

export type AppEnv = { Variables: { user: SessionUser } };
