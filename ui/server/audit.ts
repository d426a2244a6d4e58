/**
 * The audit trail: who changed what, when, from what to what. `audit` is the one write; the routes that change
 * runs, campaigns, users and API keys call it, inside their transaction where they have one, so a
 * change and its row are kept together. Admins read it on the Audit page (GET /api/audit, auditRoutes.ts).
 */
import type { Queryable } from '../../nodes/shared/transport/postgres';
import type { SessionUser } from './context';

export type AuditSubject = 'run' | 'campaign' | 'user' | 'key';

export interface AuditEntry {
	/** "run.cancel", "campaign.update", "user.create", "key.revoke"… (subject.verb) */
	action: string;
	subjectType: AuditSubject;
	subjectId?: string | null;
	/** The state the change started from, and the state it left; only the fields that matter, never secrets. */
	before?: unknown;
	after?: unknown;
}

/** Writes one audit row. `who` is the logged-in user (null for changes the system makes on nobody's behalf). */
export async function audit(db: Queryable, who: Pick<SessionUser, 'id' | 'email'> | null, entry: AuditEntry): Promise<void> {
	await db.query(
		`insert into audit_log (user_id, actor, action, subject_type, subject_id, before, after)
		values ($1, $2, $3, $4, $5, $6, $7)`,
		[
			who?.id ?? null,
			who?.email ?? 'system',
			entry.action,
			entry.subjectType,
			entry.subjectId ?? null,
			entry.before === undefined ? null : JSON.stringify(entry.before),
			entry.after === undefined ? null : JSON.stringify(entry.after),
		],
	);
}
