/** The Audit page's API: the audit trail (audit.ts) for admins. */
import { Hono } from 'hono';
import type { AuditSubject } from './audit';
import { requireAdmin } from './auth';
import type { AppEnv, Deps } from './context';
import { iso } from './db';
import { badRequest } from './errors';
import { intParam } from './http';

const SUBJECTS = new Set<AuditSubject>(['run', 'campaign', 'user', 'key']);

/** GET /api/audit (admins): newest first; filters ?subjectType=&subjectId=&action=&actor=, pages by ?before=<id>. */
export function auditRoutes(deps: Deps) {
	const app = new Hono<AppEnv>();
	app.get('/', async (c) => {
		requireAdmin(c);
		const subjectType = c.req.query('subjectType') || null;
		if (subjectType && !SUBJECTS.has(subjectType as AuditSubject)) {
			throw badRequest('subjectType', `subjectType must be one of ${[...SUBJECTS].join(', ')}; leave it out for all.`);
		}
		const subjectId = c.req.query('subjectId')?.trim() || null;
		const action = c.req.query('action')?.trim() || null;
		const actor = c.req.query('actor')?.trim().toLowerCase() || null;
		const limit = intParam(c, 'limit', 100, 1, 500);
		const before = intParam(c, 'before', 0, 0, Number.MAX_SAFE_INTEGER);
		const { rows } = await deps.db.query(
			`select id, at, user_id, actor, action, subject_type, subject_id, before, after from audit_log
			where ($1::text is null or subject_type = $1) and ($2::text is null or subject_id = $2)
			  and ($3::text is null or action = $3) and ($4::text is null or actor = $4) and ($5::bigint = 0 or id < $5)
			order by id desc limit $6`,
			[subjectType, subjectId, action, actor, before, limit],
		);
		return c.json({
			entries: rows.map((row) => ({
				id: Number(row.id),
				at: iso(row.at),
				userId: row.user_id,
				actor: row.actor,
				action: row.action,
				subjectType: row.subject_type,
				subjectId: row.subject_id,
				before: row.before,
				after: row.after,
			})),
			next: rows.length === limit ? Number(rows[rows.length - 1].id) : null,
		});
	});
	return app;
}
