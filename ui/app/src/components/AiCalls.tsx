import { Fragment, useState } from 'react';
import { useRunCall, useRunCalls } from '../api/queries';
import type { AiCall, AiCallDetail } from '../api/types';
import { clock, usd } from '../format';
import { ErrorNotice, Loading } from './Feedback';

const outcome = (call: AiCall) => (call.ok ? 'ok' : call.status ? `HTTP ${call.status}` : 'no answer');

/** Claude's request as a person reads it: the system prompt, then each message's text (images by their size). */
function ClaudePrompt({ request }: { request: Record<string, any> }) {
	const text = (content: unknown): string =>
		typeof content === 'string'
			? content
			: Array.isArray(content)
				? content.map((block) => (block.type === 'text' ? block.text : block.type === 'tool_result' ? text(block.content) : `[${block.type}]`)).join('\n')
				: JSON.stringify(content);
	return (
		<>
			<h4>System prompt</h4>
			<pre data-testid="call-system">{String(request.system ?? '')}</pre>
			{(request.messages ?? []).map((message: { role: string; content: unknown }, index: number) => (
				<Fragment key={index}>
					<h4>{message.role}</h4>
					<pre>{text(message.content)}</pre>
				</Fragment>
			))}
		</>
	);
}

function CallBody({ call }: { call: AiCallDetail }) {
	const claude = call.provider === 'anthropic' && call.request && typeof call.request === 'object';
	return (
		<div className="call-detail" data-testid="call-detail">
			<p className="muted small">
				{call.method} {call.url}
				{call.taskId ? ` · task ${call.taskId}` : ''}
			</p>
			{call.error && <p className="error">{call.error}</p>}
			{claude ? <ClaudePrompt request={call.request as Record<string, any>} /> : null}
			<details open={!claude}>
				<summary>Request as sent (secrets and media left out)</summary>
				<pre data-testid="call-request">{JSON.stringify(call.request, null, 2)}</pre>
			</details>
			<h4>Answer</h4>
			<pre data-testid="call-response">{JSON.stringify(call.response, null, 2)}</pre>
		</div>
	);
}

function OpenCall({ runId, callId }: { runId: string; callId: number }) {
	const call = useRunCall(runId, callId);
	if (call.isPending) return <Loading what="the call" />;
	if (call.error) return <ErrorNotice error={call.error} what="the call" />;
	return <CallBody call={call.data.call} />;
}

/** Every request the run made to an AI provider, oldest first; a row opens its prompt and answer. */
export function AiCalls({ runId, active }: { runId: string; active: boolean }) {
	const calls = useRunCalls(runId, active);
	const [open, setOpen] = useState<number | null>(null);
	if (calls.isPending) return <Loading what="the AI calls" />;
	if (calls.error) return <ErrorNotice error={calls.error} what="the AI calls" onRetry={() => void calls.refetch()} />;
	const list = calls.data.calls;
	if (!list.length) return <p className="muted">No AI provider was called for this run (yet).</p>;
	return (
		<table className="table compact" data-testid="ai-calls">
			<thead>
				<tr>
					<th>Time</th>
					<th>Scene</th>
					<th>Provider</th>
					<th>For</th>
					<th>Model</th>
					<th>Outcome</th>
					<th className="num">Latency</th>
					<th className="num">Units</th>
					<th className="num">Cost</th>
					<th>Summary</th>
				</tr>
			</thead>
			<tbody>
				{list.map((call) => (
					<Fragment key={call.id}>
						<tr
							data-testid="ai-call"
							data-provider={call.provider}
							data-purpose={call.purpose}
							className={`clickable${call.ok ? '' : ' failed'}`}
							onClick={() => setOpen(open === call.id ? null : call.id)}
						>
							<td>{clock(call.createdAt)}</td>
							<td>{call.sceneNumber ?? '—'}</td>
							<td>{call.provider}</td>
							<td>{call.purpose}</td>
							<td>{call.model ?? '—'}</td>
							<td>{outcome(call)}</td>
							<td className="num">{call.latencyMs} ms</td>
							<td className="num">{call.units === null ? '—' : `${call.units} ${call.unit ?? ''}`}</td>
							<td className="num">{call.costUsd === null ? '—' : usd(call.costUsd, 4)}</td>
							<td>{call.error ?? call.summary ?? ''}</td>
						</tr>
						{open === call.id && (
							<tr>
								<td colSpan={10}>
									<OpenCall runId={runId} callId={call.id} />
								</td>
							</tr>
						)}
					</Fragment>
				))}
			</tbody>
		</table>
	);
}
