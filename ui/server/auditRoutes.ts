/** The Audit page's API: the audit trail (audit.ts) for admins. */
import { Hono } from 'hono';
import * as z from 'zod/v4';
import type { AuditSubject } from './audit';
import { requireAdmin } from './auth';
import type { AppEnv, Deps } from './context';
import { iso } from './db';
import { badRequest } from './errors';
import { intParam } from './http';
import { describeRoute } from './openapi';

const SUBJECTS = new Set<AuditSubject>(['run', 'campaign', 'user', 'key']);

/** GET /api/audit (admins): newest first; filters ?subjectType=&subjectId=&action=&actor=, pages by ?before=<id>. */
export function auditRoutes(deps: Deps) {
	const app = new Hono<AppEnv>();
	app.get(
		'/',
		describeRoute({
			tag: 'Audit',
			access: 'admin',
			summary: 'The audit trail: who changed what, when, from what to what',
			description:
				'Approvals, rejections, cancels, retries and resumes, campaign and budget changes, user and API key changes. Newest first; page with ?before=<next>.',
			query: z.object({
				subjectType: z.enum(['run', 'campaign', 'user', 'key']).optional(),
				subjectId: z.string().optional(),
				action: z.string().optional(),
				actor: z.string().optional(),
				limit: z.number().int().min(1).max(500).optional(),
				before: z.number().int().optional(),
			}),
			responses: {
				200: {
					description: 'One page of entries.',
					schema: z.object({
						entries: z.array(
							z.object({
								id: z.number().int(),
								at: z.string().nullable(),
								userId: z.string().nullable(),
								actor: z.string(),
								action: z.string(),
								subjectType: z.string(),
								subjectId: z.string().nullable(),
								before: z.unknown(),
								after: z.unknown(),
							}),
						),
						next: z.number().int().nullable(),
					}),
					example: {
						entries: [
							{
								id: 41,
								at: '2026-12-01T09:40:00.000Z',
								userId: '2b7e1d7c-93a4-4d0b-8a8e-3f0f6f4c9a01',
								actor: 'admin@example.com',
								action: 'campaign.update',
								subjectType: 'campaign',
								subjectId: '0d5f3d4e-2a61-4b8c-9a3e-5c1f7e9b2d10',
								before: { budgetUsd: null },
								after: { budgetUsd: 5 },
							},
						],
						next: null,
					},
				},
			},
		}),
		async (c) => {
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
		},
	);
	return app;
}
