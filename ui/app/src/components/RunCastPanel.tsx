import { errorMessage } from '../api/client';
import { useAddToCast, useRunCast } from '../api/queries';
import { Link } from 'react-router-dom';

/** The run's characters against its campaign's cast: which it matched, and "Add to cast" for the new ones. */
export function RunCastPanel({ runId }: { runId: string }) {
	const match = useRunCast(runId);
	const add = useAddToCast(runId, match.data?.campaignId ?? '');
	if (!match.data) return null;
	const { campaignId, castVersion, characters, newCharacters } = match.data;
	if (!characters.length && !newCharacters.length) return null;
	return (
		<section className="card" data-testid="run-cast">
			<h2>Cast</h2>
			<p className="muted small">
				{castVersion ? `This run used cast v${castVersion}. ` : 'This run used no cast. '}
				{characters.length ? `In the cast: ${characters.map((character) => character.name).join(', ')}. ` : ''}
				<Link to={`/campaigns/${campaignId}/cast`}>Edit the cast</Link>
			</p>
			{newCharacters.length > 0 && (
				<ul className="plain">
					{newCharacters.map((character) => (
						<li key={character.name} data-testid="new-character">
							<strong>{character.name}</strong> {character.description && <span className="muted">— {character.description}</span>}{' '}
							<button
								type="button"
								disabled={add.isPending}
								onClick={() =>
									add.mutate({
										name: character.name,
										description: character.description,
									})
								}
								data-testid="add-to-cast"
							>
								Add to cast
							</button>
						</li>
					))}
				</ul>
			)}
			{add.isError && (
				<div className="notice error small" role="alert">
					{errorMessage(add.error)}
				</div>
			)}
		</section>
	);
}
