import { campaignOfKey } from '../../shared/keys';
import { sceneMediaKeys, type SceneMedia } from './sceneMedia';

/**
 * A key in another campaign's folder (its uploads, its cast) that a run names as its own media, as a 400 on that
 * field; null when every key is the run's campaign's or outside campaigns/. Checked when the run's campaign is known
 * (Accept, Create Batch): a manager of campaign A may not put campaign B's uploads into A's videos. `campaignId`
 * null = the campaign does not exist yet, so no campaign folder is its.
 */
export function foreignMediaProblem(
	options: { sceneMedia?: SceneMedia[]; music?: { key?: string } | { url: string } | null },
	campaignId: string | null,
): { field: string; message: string } | null {
	const named = [...sceneMediaKeys(options.sceneMedia)];
	if (options.music && 'key' in options.music && options.music.key) named.push({ field: 'music.key', key: options.music.key });
	for (const { field, key } of named) {
		const owner = campaignOfKey(key);
		if (owner && owner !== campaignId?.toLowerCase()) {
			return {
				field,
				message: `"${field}" is "${key.slice(0, 120)}", a file of another campaign. Upload the file to this run's campaign (dashboard: New Run → your own media) and use the key it answers.`,
			};
		}
	}
	return null;
}
