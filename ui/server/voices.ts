/**
 * Voices: the list of a speech provider's voices and a spoken preview of one line. Both go through n8n (the voice
 * webhooks), which holds the providers' keys; the dashboard only presigns the stored preview for the page's player.
 */
import { Hono } from 'hono';
import * as z from 'zod/v4';
import {
	PREVIEW_MAX_CHARACTERS,
	voiceChoiceSchema,
	VoiceListRequestSchema,
	VoicePreviewRequestSchema,
	voicePreviewSchema,
} from '../../nodes/TextToSpeech/lib/preview';
import { canSeeCampaign } from './access';
import type { CampaignStats } from './campaigns';
import { EXAMPLE_PREVIEW, EXAMPLE_VOICE } from './schemas';
import { LINK_SECONDS } from './artifacts';
import type { AppEnv, Deps } from './context';
import { ApiError, badRequest } from './errors';
import { jsonBody } from './http';
import { callWebhook, type WebhookAnswer } from './n8n';
import { describeRoute, errorSchema } from './openapi';

export const VOICES_WEBHOOK = 'reelsmith/voices';
export const VOICE_PREVIEW_WEBHOOK = 'reelsmith/voices/preview';

const previewAnswerSchema = voicePreviewSchema.extend({
	url: z.string().meta({ description: `Presigned link to the WAV, valid ${LINK_SECONDS / 60} minutes: an <audio> element plays it.` }),
});

/** The workflow's own 400 (a voice the provider does not have, a setting out of range) back to the caller; else 502. */
function answered(answer: WebhookAnswer, what: string): Record<string, any> {
	if (answer.status === 400) throw badRequest(String(answer.body.field ?? 'body'), String(answer.body.message ?? `n8n refused the ${what}.`));
	if (answer.status !== 200)
		throw new ApiError(502, `n8n answered ${answer.status} for the ${what}: ${answer.body.message ?? 'no message'}. Try again.`);
	return answer.body;
}

export function voiceRoutes(deps: Deps, stats?: CampaignStats) {
	const app = new Hono<AppEnv>();

	app.get(
		'/voices',
		describeRoute({
			tag: 'Voices',
			summary: "A speech provider's voices",
			description: `Asks n8n (POST /webhook/${VOICES_WEBHOOK}), which lists espeak-ng's own voices or asks ElevenLabs or Google with their credentials.`,
			query: VoiceListRequestSchema,
			responses: {
				200: {
					description: 'The voices, sorted by name.',
					schema: z.object({ provider: z.string(), count: z.number().int(), voices: z.array(voiceChoiceSchema) }),
					example: { provider: 'espeak', count: 1, voices: [EXAMPLE_VOICE] },
				},
				400: {
					description: 'An unknown provider, or a language that is no BCP 47 tag; or the provider is not configured in n8n.',
					schema: errorSchema,
				},
			},
		}),
		async (c) => {
			const parsed = VoiceListRequestSchema.safeParse({
				provider: c.req.query('provider') || 'espeak',
				language: c.req.query('language') || undefined,
				q: c.req.query('q') || undefined,
			});
			if (!parsed.success) {
				const issue = parsed.error.issues[0];
				throw badRequest(String(issue.path[0] ?? 'provider'), `"${String(issue.path[0] ?? 'provider')}": ${issue.message}`);
			}
			const body = answered(await callWebhook(deps.webhookBase, deps.webhookToken, VOICES_WEBHOOK, parsed.data), 'voice list');
			return c.json({ provider: String(body.provider), count: Number(body.count ?? 0), voices: Array.isArray(body.voices) ? body.voices : [] });
		},
	);

	app.post(
		'/voices/preview',
		describeRoute({
			tag: 'Voices',
			summary: 'Hear one line in a voice',
			description: `Asks n8n (POST /webhook/${VOICE_PREVIEW_WEBHOOK}) to speak at most ${PREVIEW_MAX_CHARACTERS} characters. The audio is kept by a hash of provider, model, voice, settings and text: the same preview again comes from storage, costs nothing and does not call the provider. A paid voice's first preview costs its characters at the provider's price; with \`campaign\` that cost counts against the campaign's budget, and a preview that would pass it is refused.`,
			responses: {
				200: {
					description: 'The stored preview with a link to play it.',
					schema: previewAnswerSchema,
					example: { ...EXAMPLE_PREVIEW, url: 'https://s3.example/reelsmith/voice-previews/espeak/3f7a….wav?X-Amz-Signature=…' },
				},
				400: {
					description:
						"A bad field (text, voice, settings), a campaign you cannot see, or a paid preview the campaign's budget has no room for (field campaign).",
					schema: errorSchema,
				},
			},
		}),
		jsonBody(VoicePreviewRequestSchema),
		async (c) => {
			const request = c.req.valid('json');
			if (request.campaign) {
				// The same answer for a campaign that does not exist and one the caller may not see: ids reveal nothing.
				const campaign = request.campaign.toLowerCase();
				const { rows } = await deps.db.query('select 1 from campaigns where id = $1', [campaign]);
				if (!rows[0] || !canSeeCampaign(c.get('user'), campaign)) {
					throw badRequest('campaign', `"campaign": there is no campaign ${campaign} that you can see. Send the id of one of your campaigns, or none.`);
				}
				request.campaign = campaign;
			}
			const body = answered(await callWebhook(deps.webhookBase, deps.webhookToken, VOICE_PREVIEW_WEBHOOK, request), 'voice preview');
			// A paid preview moved the campaign's spend: its figures are read again.
			if (request.campaign && Number(body.cost?.amountUsd) > 0) stats?.changed(request.campaign);
			const key = String(body.key ?? '');
			if (!key.startsWith('voice-previews/'))
				throw new ApiError(502, 'n8n answered the preview without its object key. Check the Voice preview workflow.');
			const url = await deps.presigner.client.presignedGetObject(deps.presigner.bucket, key, LINK_SECONDS);
			return c.json({ ...(body as z.infer<typeof voicePreviewSchema>), url });
		},
	);
	return app;
}
