import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ACTIVE } from '../format';
import { api, patch, post } from './client';
import { useLiveState } from './live';
import type {
	AdminUser,
	Trailer,
	AiCall,
	AiCallDetail,
	Analytics,
	ApiKey,
	AuditEntry,
	BatchDetail,
	BatchExport,
	BatchLine,
	BatchUploadAnswer,
	BrandKit,
	BrandVersion,
	CallbackDelivery,
	CampaignDetail,
	CastAnswer,
	Cast,
	CastVersionLine,
	RunCast,
	CampaignList,
	CampaignSummary,
	RunDetail,
	RunSummary,
	Storyboard,
	SystemStatus,
	User,
	VoiceChoice,
	VoicePreview,
} from './types';

/** Query keys, so live updates can invalidate exactly what changed. */
export const keys = {
	me: ['me'] as const,
	campaigns: (search: string, offset: number, limit: number) => ['campaigns', { search, offset, limit }] as const,
	campaign: (id: string, offset: number, limit: number) => ['campaign', id, { offset, limit }] as const,
	run: (id: string) => ['run', id] as const,
	callbacks: (runId: string) => ['run', runId, 'callbacks'] as const,
	storyboard: (runId: string) => ['run', runId, 'storyboard'] as const,
	callbackSecret: (campaignId: string) => ['callbackSecret', campaignId] as const,
	brand: (campaignId: string) => ['brand', campaignId] as const,
	// Under 'campaign', so the live updates that refresh campaign pages refresh batch progress too.
	batches: (campaignId: string) => ['campaign', campaignId, 'batches'] as const,
	batch: (id: string) => ['campaign', 'batch', id] as const,
	analytics: (campaignId: string, days: number) => ['analytics', { campaignId, days }] as const,
	system: ['system'] as const,
	users: ['users'] as const,
	apiKeys: ['apiKeys'] as const,
	calls: (runId: string) => ['run', runId, 'calls'] as const,
	call: (runId: string, callId: number) => ['run', runId, 'calls', callId] as const,
	audit: (subjectType: string, before: number) => ['audit', { subjectType, before }] as const,
	voices: (provider: string, language: string, q: string) => ['voices', { provider, language, q }] as const,
	cast: (campaignId: string) => ['cast', campaignId] as const,
	runCast: (runId: string) => ['run', runId, 'cast'] as const,
};

const qs = (params: Record<string, string | number | undefined>) =>
	new URLSearchParams(
		Object.entries(params)
			.filter(([, v]) => v !== undefined && v !== '')
			.map(([k, v]) => [k, String(v)]),
	).toString();

export function useMe() {
	return useQuery({
		queryKey: keys.me,
		queryFn: async () => {
			const body = await api<{ user?: User } & Partial<User>>('/api/me');
			return (body.user ?? body) as User;
		},
		staleTime: 60_000,
		retry: false,
	});
}

export function useCampaigns(search: string, offset: number, limit: number) {
	return useQuery({
		queryKey: keys.campaigns(search, offset, limit),
		queryFn: ({ signal }) => api<CampaignList>(`/api/campaigns?${qs({ search, limit, offset })}`, { signal }),
		placeholderData: keepPreviousData,
	});
}

/** Live updates refresh pages; only while the event stream is down do pages with moving runs poll instead. */
const FALLBACK_POLL_MS = 5_000;
const EXPORT_POLL_MS = 2_000;

export function useCampaign(id: string, offset: number, limit: number) {
	const live = useLiveState();
	return useQuery({
		queryKey: keys.campaign(id, offset, limit),
		queryFn: ({ signal }) => api<CampaignDetail>(`/api/campaigns/${encodeURIComponent(id)}?${qs({ limit, offset })}`, { signal }),
		placeholderData: keepPreviousData,
		refetchInterval: (query) => (live !== 'live' && query.state.data?.runs.some((run) => ACTIVE.has(run.status)) ? FALLBACK_POLL_MS : false),
	});
}

export function useRun(id: string) {
	const live = useLiveState();
	return useQuery({
		queryKey: keys.run(id),
		queryFn: ({ signal }) => api<RunDetail>(`/api/runs/${encodeURIComponent(id)}`, { signal }),
		refetchInterval: (query) => (live !== 'live' && ACTIVE.has(query.state.data?.run.status ?? '') ? FALLBACK_POLL_MS : false),
	});
}

/** A run's callback deliveries; refreshed with the run (live updates) and every few seconds while one is due. */
export function useCallbacks(runId: string) {
	return useQuery({
		queryKey: keys.callbacks(runId),
		queryFn: ({ signal }) => api<{ deliveries: CallbackDelivery[] }>(`/api/runs/${encodeURIComponent(runId)}/callbacks`, { signal }),
		refetchInterval: (query) => (query.state.data?.deliveries.some((d) => d.status === 'pending') ? FALLBACK_POLL_MS : false),
	});
}

export function useSendCallbackAgain(runId: string) {
	const client = useQueryClient();
	return useMutation({
		mutationFn: (deliveryId: string) =>
			post<{ attempt: { delivered: boolean; statusCode: number | null; error: string | null }; deliveries: CallbackDelivery[] }>(
				`/api/runs/${encodeURIComponent(runId)}/callbacks/${encodeURIComponent(deliveryId)}/send`,
			),
		onSuccess: (answer) => client.setQueryData(keys.callbacks(runId), { deliveries: answer.deliveries }),
		onError: () => void client.invalidateQueries({ queryKey: keys.callbacks(runId) }),
	});
}

/** The campaign's callback signing secret: read only when someone asks to see it. */
export function useCallbackSecret(campaignId: string, enabled: boolean) {
	return useQuery({
		queryKey: keys.callbackSecret(campaignId),
		queryFn: ({ signal }) => api<{ secret: string }>(`/api/campaigns/${encodeURIComponent(campaignId)}/callback-secret`, { signal }),
		enabled,
		staleTime: Infinity,
	});
}

export function useRotateCallbackSecret(campaignId: string) {
	const client = useQueryClient();
	return useMutation({
		mutationFn: () => post<{ secret: string }>(`/api/campaigns/${encodeURIComponent(campaignId)}/callback-secret/rotate`),
		onSuccess: (answer) => client.setQueryData(keys.callbackSecret(campaignId), answer),
	});
}

export function useBrand(campaignId: string) {
	return useQuery({
		queryKey: keys.brand(campaignId),
		queryFn: ({ signal }) => api<{ campaignId: string; brand: BrandVersion | null }>(`/api/campaigns/${encodeURIComponent(campaignId)}/brand`, { signal }),
	});
}

export function useBrandVersions(campaignId: string) {
	return useQuery({
		queryKey: [...keys.brand(campaignId), 'versions'],
		queryFn: ({ signal }) => api<{ versions: BrandVersion[] }>(`/api/campaigns/${encodeURIComponent(campaignId)}/brand/versions`, { signal }),
	});
}

/** Saves the kit: the server keeps it as the next version. */
export function useSaveBrand(campaignId: string) {
	const client = useQueryClient();
	return useMutation({
		mutationFn: (kit: BrandKit) =>
			api<{ brand: BrandVersion }>(`/api/campaigns/${encodeURIComponent(campaignId)}/brand`, { method: 'PUT', body: kit }),
		onSuccess: () => void client.invalidateQueries({ queryKey: keys.brand(campaignId) }),
	});
}

export function useUploadLogo(campaignId: string) {
	return useMutation({
		mutationFn: (file: { contentType: string; data: string }) =>
			post<{ key: string; bytes: number }>(`/api/campaigns/${encodeURIComponent(campaignId)}/brand/logo`, file),
	});
}

export function useBatches(campaignId: string) {
	const live = useLiveState();
	return useQuery({
		queryKey: keys.batches(campaignId),
		queryFn: ({ signal }) => api<{ batches: BatchLine[] }>(`/api/campaigns/${encodeURIComponent(campaignId)}/batches`, { signal }),
		refetchInterval: (query) => (live !== 'live' && query.state.data?.batches.some((b) => b.queued + b.running > 0) ? FALLBACK_POLL_MS : false),
	});
}

export function useBatch(id: string) {
	const live = useLiveState();
	return useQuery({
		queryKey: keys.batch(id),
		queryFn: ({ signal }) => api<BatchDetail>(`/api/batches/${encodeURIComponent(id)}`, { signal }),
		// An export being written sends no live message: the page asks again until it is done.
		refetchInterval: (query) =>
			query.state.data?.export.running
				? EXPORT_POLL_MS
				: live !== 'live' && query.state.data?.runs.some((run) => ACTIVE.has(run.status))
					? FALLBACK_POLL_MS
					: false,
	});
}

/** Upload a batch: `{ csv }` with a CSV file's text, or the rows (and defaults) of a JSON file. */
export function useUploadBatch(campaignId: string) {
	const refresh = useRefreshRun();
	return useMutation({
		mutationFn: (body: Record<string, unknown>) => post<BatchUploadAnswer>(`/api/campaigns/${encodeURIComponent(campaignId)}/batches`, body),
		onSuccess: () => refresh(),
	});
}

export function useExportBatch(id: string) {
	const client = useQueryClient();
	return useMutation({
		mutationFn: () => post<BatchExport>(`/api/batches/${encodeURIComponent(id)}/export`),
		onSuccess: () => void client.invalidateQueries({ queryKey: keys.batch(id) }),
	});
}

/** The run's AI calls; refreshed with the run (its key is under the run's), polled while the run moves. */
export function useRunCalls(runId: string, active: boolean) {
	return useQuery({
		queryKey: keys.calls(runId),
		queryFn: ({ signal }) => api<{ calls: AiCall[] }>(`/api/runs/${encodeURIComponent(runId)}/calls`, { signal }),
		refetchInterval: active ? FALLBACK_POLL_MS : false,
	});
}

/** One call's request and answer, read when it is opened. */
export function useRunCall(runId: string, callId: number | null) {
	return useQuery({
		queryKey: keys.call(runId, callId ?? 0),
		queryFn: ({ signal }) => api<{ call: AiCallDetail }>(`/api/runs/${encodeURIComponent(runId)}/calls/${callId}`, { signal }),
		enabled: callId !== null,
		staleTime: Infinity,
	});
}

export function useAudit(subjectType: string, before: number) {
	return useQuery({
		queryKey: keys.audit(subjectType, before),
		queryFn: ({ signal }) =>
			api<{ entries: AuditEntry[]; next: number | null }>(`/api/audit?${qs({ subjectType, before: before || undefined })}`, { signal }),
		placeholderData: keepPreviousData,
		retry: false,
	});
}

export function useAnalytics(campaignId: string, days: number) {
	return useQuery({
		queryKey: keys.analytics(campaignId, days),
		queryFn: ({ signal }) => api<Analytics>(`/api/analytics?${qs({ campaignId, days })}`, { signal }),
		placeholderData: keepPreviousData,
	});
}

/** n8n's queue lives in Redis, which sends no live messages: the System view reads it again every few seconds. */
const SYSTEM_POLL_MS = 5_000;

export function useSystem() {
	return useQuery({
		queryKey: keys.system,
		queryFn: ({ signal }) => api<SystemStatus>('/api/system', { signal }),
		refetchInterval: SYSTEM_POLL_MS,
		retry: false,
	});
}

/** Invalidates everything a change to a run can show up in. */
function useRefreshRun() {
	const client = useQueryClient();
	return (runId?: string) => {
		if (runId) void client.invalidateQueries({ queryKey: keys.run(runId) });
		void client.invalidateQueries({ queryKey: ['campaign'] });
		void client.invalidateQueries({ queryKey: ['campaigns'] });
	};
}

export function useRunAction(runId: string, action: 'retry' | 'resume' | 'cancel' | 'approval') {
	const refresh = useRefreshRun();
	return useMutation({
		mutationFn: (body: Record<string, unknown> = {}) =>
			post<{ run?: RunSummary; warning?: string; message?: string }>(`/api/runs/${encodeURIComponent(runId)}/${action}`, body),
		onSettled: () => refresh(runId),
	});
}

/** Asks for a trailer of one take while the run waits for approval (n8n renders it from the stills; it costs nothing). */
export function useMakeTrailer(runId: string) {
	const refresh = useRefreshRun();
	return useMutation({
		mutationFn: (input: { take?: number }) => post<Trailer>(`/api/runs/${encodeURIComponent(runId)}/trailer`, input.take ? { take: input.take } : {}),
		// The run's events gain the trailer's line.
		onSettled: () => refresh(runId),
	});
}

/** Rewrites what a scene shows while its run waits for approval (a new plan version of that take). */
/** The storyboard stills of a run waiting for approval (refreshed with the run: its key starts with the run's). */
export function useStoryboard(runId: string) {
	return useQuery({
		queryKey: keys.storyboard(runId),
		queryFn: ({ signal }) => api<Storyboard>(`/api/runs/${encodeURIComponent(runId)}/storyboard`, { signal }),
	});
}

export function useEditScene(runId: string) {
	const refresh = useRefreshRun();
	return useMutation({
		mutationFn: (input: { scene: number; visualDescription: string; take?: number }) =>
			patch<{ version: number; take: number; chosen: boolean }>(
				`/api/runs/${encodeURIComponent(runId)}/storyboard/scenes/${input.scene}`,
				{ visualDescription: input.visualDescription, ...(input.take ? { take: input.take } : {}) },
			),
		onSettled: () => refresh(runId),
	});
}

export function useStartRun(campaignId: string) {
	const refresh = useRefreshRun();
	return useMutation({
		mutationFn: (body: Record<string, unknown>) =>
			post<{ runId: string; queuePosition?: number }>(`/api/campaigns/${encodeURIComponent(campaignId)}/runs`, body),
		onSuccess: (answer) => refresh(answer.runId),
	});
}

export function useSaveCampaign() {
	const client = useQueryClient();
	return useMutation({
		mutationFn: (input: { id?: string; name?: string; budgetUsd?: number | null }) =>
			input.id
				? patch<CampaignSummary>(`/api/campaigns/${encodeURIComponent(input.id)}`, { name: input.name, budgetUsd: input.budgetUsd })
				: post<CampaignSummary>('/api/campaigns', { name: input.name, budgetUsd: input.budgetUsd ?? undefined }),
		onSuccess: () => {
			void client.invalidateQueries({ queryKey: ['campaigns'] });
			void client.invalidateQueries({ queryKey: ['campaign'] });
		},
	});
}

export function useLogin() {
	const client = useQueryClient();
	return useMutation({
		mutationFn: (input: { email: string; password: string }) => post<{ user: User }>('/api/login', input),
		onSuccess: (answer) => {
			client.clear();
			client.setQueryData(keys.me, answer.user);
		},
	});
}

export function useLogout() {
	const client = useQueryClient();
	return useMutation({
		mutationFn: () => post<unknown>('/api/logout'),
		onSettled: () => {
			client.clear();
			client.setQueryData(keys.me, null);
		},
	});
}

// ───────────── users and API keys (admins) ─────────────

export function useUsers() {
	return useQuery({ queryKey: keys.users, queryFn: ({ signal }) => api<{ users: AdminUser[] }>('/api/users', { signal }) });
}

export function useApiKeys() {
	return useQuery({ queryKey: keys.apiKeys, queryFn: ({ signal }) => api<{ keys: ApiKey[] }>('/api/keys', { signal }) });
}

/** A change on the users page: the users and keys lists are read again after it. */
function useAdminMutation<I, O>(call: (input: I) => Promise<O>) {
	const client = useQueryClient();
	return useMutation({
		mutationFn: call,
		onSuccess: () => {
			void client.invalidateQueries({ queryKey: keys.users });
			void client.invalidateQueries({ queryKey: keys.apiKeys });
		},
	});
}

export const useAddUser = () =>
	useAdminMutation((input: { email: string; name: string; password: string; role: 'admin' | 'manager'; campaignIds: string[] }) =>
		post<{ user: User }>('/api/users', input),
	);

export const useChangeUser = () =>
	useAdminMutation(({ id, ...change }: { id: string; campaignIds?: string[]; disabled?: boolean; name?: string | null }) =>
		patch<{ user: AdminUser }>(`/api/users/${encodeURIComponent(id)}`, change),
	);

export const useResetPassword = () =>
	useAdminMutation(({ id }: { id: string }) =>
		post<{ user: AdminUser; generatedPassword: string | null }>(`/api/users/${encodeURIComponent(id)}/password`, {}),
	);

export const useMakeApiKey = () =>
	useAdminMutation((input: { name: string; campaignIds: string[] }) => post<{ key: ApiKey; token: string }>('/api/keys', input));

export const useRevokeApiKey = () =>
	useAdminMutation(({ id }: { id: string }) => post<{ key: ApiKey }>(`/api/keys/${encodeURIComponent(id)}/revoke`));

/** A provider's voices (through n8n); kept a while, as they rarely change. */
export function useVoices(provider: string, language: string, q: string) {
	return useQuery({
		queryKey: keys.voices(provider, language, q),
		queryFn: ({ signal }) => api<{ voices: VoiceChoice[] }>(`/api/voices?${qs({ provider, language, q })}`, { signal }),
		placeholderData: keepPreviousData,
		staleTime: 5 * 60_000,
	});
}

export function usePreviewVoice() {
	const client = useQueryClient();
	return useMutation({
		mutationFn: (body: { provider: string; voice: string; text: string; settings?: Record<string, number>; campaign?: string }) =>
			post<VoicePreview>('/api/voices/preview', body),
		// A paid preview for a campaign is part of its spend.
		onSuccess: (preview, body) => {
			if (body.campaign && preview.cost.amountUsd > 0) {
				void client.invalidateQueries({ queryKey: ['campaigns'] });
				void client.invalidateQueries({ queryKey: ['campaign', body.campaign] });
			}
		},
	});
}

const castPath = (campaignId: string) => `/api/campaigns/${encodeURIComponent(campaignId)}/cast`;

/** The campaign's newest cast and its versions. */
export function useCast(campaignId: string) {
	return useQuery({
		queryKey: keys.cast(campaignId),
		queryFn: async ({ signal }) => {
			const [cast, history] = await Promise.all([
				api<CastAnswer>(castPath(campaignId), { signal }),
				api<{ versions: CastVersionLine[] }>(`${castPath(campaignId)}/versions`, { signal }),
			]);
			return { ...cast, versions: history.versions };
		},
	});
}

export function useSaveCast(campaignId: string) {
	const client = useQueryClient();
	return useMutation({
		mutationFn: (input: Cast & { version: number }) => api<CastAnswer>(castPath(campaignId), { method: 'PUT', body: input }),
		onSuccess: () => client.invalidateQueries({ queryKey: keys.cast(campaignId) }),
	});
}

export function useUploadCastImage(campaignId: string) {
	return useMutation({
		mutationFn: (image: string) => post<{ key: string; url: string; bytes: number }>(`${castPath(campaignId)}/images`, { image }),
	});
}

/** The run's characters against its campaign's cast ("Add to cast"). */
export function useRunCast(runId: string) {
	return useQuery({
		queryKey: keys.runCast(runId),
		queryFn: ({ signal }) => api<RunCast>(`/api/runs/${encodeURIComponent(runId)}/cast`, { signal }),
	});
}

export function useAddToCast(runId: string, campaignId: string) {
	const client = useQueryClient();
	return useMutation({
		mutationFn: (input: { name: string; description: string }) => post<CastAnswer>(`${castPath(campaignId)}/characters`, input),
		onSuccess: () => {
			void client.invalidateQueries({ queryKey: keys.runCast(runId) });
			void client.invalidateQueries({ queryKey: keys.cast(campaignId) });
		},
	});
}
