import { z } from 'zod/v4';

/**
 * The resume webhook's body (workflows/resume-run.json): validated here and documented from the same schema
 * (ui/server/openapi.ts), so the API document cannot drift from what the webhook takes.
 */
export const ResumeRequestSchema = z.object({
	runId: z.uuid().meta({ description: 'The id the run request answered with.' }),
});

/**
 * What the dashboard posts to a run's Wait node (runs.approval_url). The workflow reads the decision itself from the
 * run row (written first), so the body only has to say which run and what; the dashboard builds it with this schema.
 */
export const WaitDecisionSchema = z.object({
	runId: z.uuid(),
	decision: z.enum(['approve', 'reject', 'cancel']),
});

export type ResumeCheck = { ok: true; runId: string } | { ok: false; field: string; message: string };

const EXAMPLE = '{"runId": "<id from the webhook answer>"}';

/** A resume request, or a 400 naming the field and what to send. */
export function validateResumeRequest(body: unknown): ResumeCheck {
	if (body === null || typeof body !== 'object' || Array.isArray(body)) {
		return { ok: false, field: 'body', message: `The request body must be a JSON object. Send ${EXAMPLE} to resume a run.` };
	}
	const raw = (body as { runId?: unknown }).runId;
	const runId = typeof raw === 'string' ? raw.trim() : raw;
	if (runId === undefined || runId === null || runId === '') {
		return { ok: false, field: 'runId', message: `Send ${EXAMPLE} to resume a run.` };
	}
	const parsed = ResumeRequestSchema.safeParse({ runId });
	if (!parsed.success) {
		const shown = JSON.stringify(runId) ?? String(runId);
		return {
			ok: false,
			field: 'runId',
			message: `"runId" is ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}, which is not a run id. Send the id the run request answered with (a uuid such as 6f1c1a52-4c1e-4a8e-9d61-0b8f2f8f2a11).`,
		};
	}
	return { ok: true, runId: parsed.data.runId };
}
