import { callbackSettings } from '../../shared/callbacks/settings';
import { callbackUrlProblem } from '../../shared/publicUrl';
import { isRunArtifactKey, RUNS_ROOT } from '../../shared/keys';

/**
 * A file of the caller's own that a request names (music, a scene's clip): an https URL of a public host (downloaded
 * when it is used, checked again then) or the key of an object in the run's bucket. One check for all of them.
 */

/** A URL: https to a public host, as for callbacks. */
export function mediaUrlProblem(value: unknown): string | null {
	if (typeof value !== 'string') return `must be a text (an https URL), not ${value === null ? 'null' : typeof value}`;
	return callbackUrlProblem(value, {
		allowLoopback: callbackSettings().allowLoopback,
	});
}

/** An object key in the run's bucket, as S3 takes it; `what` names the file in the message ("music"). */
export function mediaKeyProblem(value: unknown, what = 'the file'): string | null {
	if (typeof value !== 'string') return `must be a text (an object key), not ${value === null ? 'null' : typeof value}`;
	if (value.trim() === '') return 'is empty';
	if (value.length > 1024) return 'is longer than 1024 characters';
	if (value.startsWith('/') || value.split('/').includes('..')) return 'must be a key inside the bucket, without a leading "/" or ".." parts';
	// runs/ holds every run's artifacts, across campaigns: a request may not put another run's media into its video.
	if (isRunArtifactKey(value)) return `names a run's artifact (${RUNS_ROOT}…); ${what} must be a file of your own outside ${RUNS_ROOT}`;
	// eslint-disable-next-line no-control-regex -- control characters are what is refused
	if (/[\u0000-\u001f\u007f]/.test(value)) return 'has control characters';
	return null;
}
