/** Answer shapes several routes share, for the API document (ui/server/openapi.ts), with an example of each. */
import * as z from 'zod/v4';
import { RUN_STATUSES } from '../../nodes/shared/store/runState';

export const runStatusSchema = z.enum(RUN_STATUSES as unknown as [string, ...string[]]);

const time = z.string().meta({ description: 'ISO 8601' });

export const runSummarySchema = z.object({
	id: z.uuid(),
	campaignId: z.uuid(),
	title: z.string().nullable(),
	status: runStatusSchema,
	stage: z.string().nullable(),
	scenesDone: z.number().int(),
	scenesTotal: z.number().int(),
	progress: z.number().min(0).max(1),
	queuePosition: z.number().int().nullable(),
	startedAt: time.nullable(),
	finishedAt: time.nullable(),
	durationS: z.number().nullable(),
	costUsd: z.number(),
	estimateUsd: z.number().nullable(),
	budgetUsd: z.number().nullable(),
	approval: z.string().nullable(),
	cancelRequestedAt: time.nullable(),
	error: z.string().nullable(),
	createdAt: time,
	updatedAt: time,
	lastEventAt: time.nullable(),
	brandVersion: z.number().int().nullable().meta({ description: "The campaign's brand kit version the run was queued with; null = none." }),
});

export const EXAMPLE_RUN = {
	id: '6f1c1a52-4c1e-4a8e-9d61-0b8f2f8f2a11',
	campaignId: '0d5f3d4e-2a61-4b8c-9a3e-5c1f7e9b2d10',
	title: 'Kitchen at night',
	status: 'running',
	stage: 'generation',
	scenesDone: 2,
	scenesTotal: 4,
	progress: 0.525,
	queuePosition: null,
	startedAt: '2026-12-01T09:30:00.000Z',
	finishedAt: null,
	durationS: 42.5,
	costUsd: 0.4,
	estimateUsd: 1.2,
	budgetUsd: 5,
	approval: null,
	cancelRequestedAt: null,
	error: null,
	createdAt: '2026-12-01T09:29:58.000Z',
	updatedAt: '2026-12-01T09:30:40.000Z',
	lastEventAt: '2026-12-01T09:30:40.000Z',
	brandVersion: 2,
};

export const campaignLineSchema = z.object({
	id: z.uuid(),
	name: z.string(),
	runs: z.number().int(),
	completed: z.number().int(),
	failed: z.number().int(),
	running: z.number().int(),
	queued: z.number().int(),
	successRate: z.number().min(0).max(1).nullable().meta({
		description: 'completed / (completed + failed); null before any run finished.',
	}),
	spendUsd: z.number(),
	budgetUsd: z.number().nullable(),
	lastActivity: time.nullable(),
	createdAt: time,
});

export const EXAMPLE_CAMPAIGN = {
	id: '0d5f3d4e-2a61-4b8c-9a3e-5c1f7e9b2d10',
	name: 'Spring launch',
	runs: 12,
	completed: 9,
	failed: 1,
	running: 1,
	queued: 1,
	successRate: 0.9,
	spendUsd: 3.75,
	budgetUsd: 20,
	lastActivity: '2026-12-01T09:30:40.000Z',
	createdAt: '2026-11-20T08:00:00.000Z',
};

/** What the run actions (retry, resume, cancel, approval) answer: the run line as now. */
export const runActionSchema = z.object({
	run: runSummarySchema.nullable(),
	queuePosition: z.number().int().nullable().optional(),
	message: z.string().optional(),
	warning: z.string().optional(),
});

export const paging = z.object({
	limit: z.number().int().min(1).max(200).default(50).optional(),
	offset: z.number().int().min(0).default(0).optional(),
});


/** Voice examples for the API document (the voice webhooks and the dashboard routes alike). */
export const EXAMPLE_VOICE = {
	provider: 'espeak',
	id: 'en-gb-scotland',
	name: 'English (Scotland)',
	languages: ['en-GB-scotland', 'en'],
	gender: 'male',
};
export const EXAMPLE_PREVIEW = {
	provider: 'espeak',
	voice: 'en-us+f3',
	bucket: 'reelsmith',
	key: 'voice-previews/espeak/3f7a0c5e9b1d2f4a6c8e0a1b3c5d7e9f1a2b3c4d.wav',
	contentType: 'audio/wav',
	duration: 2.412,
	characters: 38,
	cached: false,
	cost: { provider: 'espeak', model: 'espeak-ng', units: 38, unit: 'character', amountUsd: 0 },
};
