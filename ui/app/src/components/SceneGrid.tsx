import type { SceneRow } from '../api/types';
import { sceneProblem } from '../explain';
import { seconds, usd } from '../format';
import { ProblemNotice } from './Feedback';
import { StatusBadge } from './StatusBadge';

/** A frame a little into the clip: title cards fade in from black. */
const frameAt = (url: string) => `${url}#t=0.5`;

function SceneCard({ scene }: { scene: SceneRow }) {
	const problem = sceneProblem(scene);
	const media = scene.sceneUrl ?? scene.clipUrl;
	return (
		<article className={`scene status-${scene.status}`} data-testid="scene-card" data-scene={scene.number} data-status={scene.status}>
			<div className="thumb">
				{media ? (
					// The scene video (clip + narration) when there is one; preload=metadata shows its frame as the thumbnail.
					<video controls preload="metadata" src={frameAt(media)} data-testid="scene-player" aria-label={`Scene ${scene.number}`} />
				) : (
					<div className="no-media">
						{scene.status === 'failed' ? 'No clip' : scene.status === 'generating' ? 'Rendering…' : 'Not made yet'}
					</div>
				)}
			</div>
			<header>
				<strong>
					{scene.number}. {scene.heading ?? 'Scene'}
				</strong>
				<StatusBadge status={scene.status} testId="scene-status" />
			</header>
			<dl className="facts">
				<dt>Provider</dt>
				<dd>{scene.provider ?? '—'}</dd>
				<dt>Attempts</dt>
				<dd data-testid="scene-attempts">{scene.attempts}</dd>
				<dt>Duration</dt>
				<dd>{seconds(scene.duration)}</dd>
				<dt>Cost</dt>
				<dd>{usd(scene.costUsd)}</dd>
			</dl>
			{problem && <ProblemNotice problem={problem} testId="scene-error" />}
		</article>
	);
}

export function SceneGrid({ scenes }: { scenes: SceneRow[] }) {
	if (!scenes.length) return <p className="muted">Scenes appear here once planning has finished.</p>;
	return (
		<div className="scene-grid" data-testid="scene-grid">
			{scenes.map((scene) => (
				<SceneCard key={scene.number} scene={scene} />
			))}
		</div>
	);
}
