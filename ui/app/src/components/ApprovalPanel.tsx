import { useState } from 'react';
import type { RunDetail, Storyboard, StoryboardScene } from '../api/types';
import { useEditScene, useRunAction, useStoryboard } from '../api/queries';
import { seconds, usd } from '../format';
import { ActionResult } from './Feedback';

/**
 * The storyboard to approve: the plan scene by scene, the cost estimate and the providers that will be paid. A run
 * that planned several takes shows each (the best-scored one first picked); the one approved is the one made. What a
 * scene shows (its visual description, the video prompt) can be rewritten here before approving.
 */
export function ApprovalPanel({ detail }: { detail: RunDetail }) {
	const { run } = detail;
	const approval = useRunAction(run.id, 'approval');
	const [note, setNote] = useState('');
	const takes = detail.takes ?? [];
	const [picked, setPicked] = useState<number | null>(null);
	const shown = takes.find((take) => take.take === picked) ?? takes.find((take) => take.chosen) ?? null;
	const plan = takes.length > 1 && shown ? shown.plan : detail.plan;
	const providers = (run.options?.providers ?? null) as { planner?: string; video?: string[]; speech?: string[] } | null;
	const scenes = plan?.scenes ?? [];
	const storyboard = useStoryboard(run.id);
	const boards = storyboard.data?.takes ?? [];
	const stills = (boards.find((take) => take.take === shown?.take) ?? boards.find((take) => take.chosen) ?? boards[0])?.scenes;
	const decide = (decision: 'approve' | 'reject') =>
		approval.mutate({ decision, note: note || undefined, ...(decision === 'approve' && takes.length > 1 && shown ? { take: shown.take } : {}) });
	return (
		<section className="card approval" data-testid="approval-panel">
			<h2>Storyboard waiting for approval</h2>
			<p>
				Nothing paid has been generated yet. Approve to start generation, or reject with a note. Estimated cost{' '}
				<strong data-testid="approval-estimate">{usd(run.estimateUsd ?? detail.costs.estimateUsd)}</strong>
				{run.budgetUsd !== null && run.budgetUsd !== undefined && <> against a budget of {usd(run.budgetUsd)}</>}
				{plan?.totalDuration ? <>, about {seconds(plan.totalDuration)} of video</> : null}.
				{providers && (
					<span className="muted">
						{' '}
						Providers: video {providers.video?.join(' → ') ?? 'auto'}, speech {providers.speech?.join(' → ') ?? 'auto'}, planner{' '}
						{providers.planner ?? 'auto'}.
					</span>
				)}
			</p>
			{takes.length > 1 && (
				<fieldset className="takes" data-testid="takes">
					<legend>{takes.length} takes of the script: pick the one to make</legend>
					{takes.map((take) => (
						<label key={take.take} className="take">
							<input
								type="radio"
								name="take"
								checked={shown?.take === take.take}
								onChange={() => setPicked(take.take)}
								data-testid={`take-${take.take}`}
							/>{' '}
							Take {take.take} · score {take.score ?? '—'} · {take.plan.scenes?.length ?? 0} scenes
							{take.chosen ? <span className="muted"> (best score)</span> : null}
						</label>
					))}
				</fieldset>
			)}
			<ol className="storyboard" data-testid="storyboard">
				{scenes.map((scene) => (
					<li key={scene.number}>
						<strong>
							{scene.number}. {scene.heading}
						</strong>{' '}
						<span className="muted">{seconds(scene.duration)}</span>
						<SceneStill scene={stills?.find((still) => still.number === scene.number)} promptFor={storyboard.data?.promptFor ?? null} loading={storyboard.isLoading} />
						<SceneVisual
							runId={run.id}
							scene={scene.number}
							take={takes.length > 1 && shown ? shown.take : undefined}
							text={scene.visualDescription ?? ''}
						/>
						{scene.dialogue && scene.dialogue.length > 0 && (
							<div className="muted small">
								{scene.dialogue.slice(0, 3).map((line, i) => (
									<div key={i}>
										{line.speaker}: “{line.text}”
									</div>
								))}
								{scene.dialogue.length > 3 && <div>… {scene.dialogue.length - 3} more lines</div>}
							</div>
						)}
						{!scene.dialogue?.length && scene.narration && <div className="muted small">Narration: {scene.narration}</div>}
					</li>
				))}
				{!scenes.length && <li className="muted">The plan could not be loaded; download the plan JSON below to review it.</li>}
			</ol>
			<label className="field">
				<span>Note (sent with a rejection; optional)</span>
				<textarea rows={2} value={note} onChange={(e) => setNote(e.target.value)} data-testid="approval-note" />
			</label>
			<div className="actions">
				<button
					type="button"
					className="primary"
					disabled={approval.isPending}
					onClick={() => decide('approve')}
					data-testid="approve-button"
				>
					{takes.length > 1 && shown ? `Approve take ${shown.take} and generate` : 'Approve and generate'}
				</button>
				<button
					type="button"
					className="danger"
					disabled={approval.isPending}
					onClick={() => decide('reject')}
					data-testid="reject-button"
				>
					Reject
				</button>
			</div>
			<ActionResult error={approval.error} done={approval.isSuccess ? 'Sent. The pipeline picks it up in a moment.' : undefined} />
		</section>
	);
}

/** The scene's storyboard still (the local renderer's drawing), who is in it and the video prompt; or why it has no still. */
function SceneStill({ scene, promptFor, loading }: { scene?: StoryboardScene; promptFor: Storyboard['promptFor']; loading: boolean }) {
	if (!scene) return loading ? <div className="muted small">Loading the storyboard still…</div> : null;
	const who = promptFor === 'kling' ? 'Kling' : promptFor === 'runway' ? 'Runway' : null;
	return (
		<div className="scene-still" data-testid={`scene-still-${scene.number}`}>
			{scene.still.url ? (
				<img src={scene.still.url} alt={`Storyboard still of scene ${scene.number}`} data-testid={`scene-still-image-${scene.number}`} />
			) : (
				<div className="muted small" data-testid={`scene-still-missing-${scene.number}`}>
					{scene.still.status === 'failed' ? `No still: ${scene.still.error ?? 'it could not be drawn.'}` : 'No still drawn yet.'}
				</div>
			)}
			<div className="muted small">
				{seconds(scene.duration)} · {scene.characters.length ? scene.characters.join(', ') : 'no characters'}
			</div>
			{scene.prompt && (
				<div className="small" data-testid={`scene-prompt-${scene.number}`}>
					<span className="muted">{who ? `Prompt for ${who}: ` : 'Video prompt (Kling or Runway would get it with their style hint): '}</span>
					{scene.prompt}
				</div>
			)}
		</div>
	);
}

/** A scene's picture as the video provider will be asked for it, with an Edit that saves a new plan version. */
function SceneVisual({ runId, scene, take, text }: { runId: string; scene: number; take?: number; text: string }) {
	const edit = useEditScene(runId);
	const [draft, setDraft] = useState<string | null>(null);
	if (draft === null) {
		return (
			<div className="scene-visual">
				{text && <span data-testid={`scene-visual-${scene}`}>{text}</span>}{' '}
				<button type="button" className="link" onClick={() => setDraft(text)} data-testid={`edit-scene-${scene}`}>
					Edit
				</button>
				<ActionResult error={edit.error} done={edit.isSuccess ? 'Saved as a new plan version.' : undefined} />
			</div>
		);
	}
	const save = () =>
		edit.mutate(
			{ scene, visualDescription: draft, take },
			{
				onSuccess: () => setDraft(null),
			},
		);
	return (
		<div className="scene-visual editing">
			<label className="field">
				<span>What the camera shows in scene {scene}</span>
				<textarea rows={3} value={draft} onChange={(e) => setDraft(e.target.value)} data-testid={`scene-visual-input-${scene}`} />
			</label>
			<div className="actions">
				<button type="button" className="primary" disabled={edit.isPending} onClick={save} data-testid={`save-scene-${scene}`}>
					Save
				</button>
				<button type="button" disabled={edit.isPending} onClick={() => setDraft(null)}>
					Cancel
				</button>
			</div>
			<ActionResult error={edit.error} />
		</div>
	);
}
