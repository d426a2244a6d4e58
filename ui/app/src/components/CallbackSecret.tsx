import { useState } from 'react';
import { errorMessage } from '../api/client';
import { useCallbackSecret, useRotateCallbackSecret } from '../api/queries';

/** The campaign's callback signing secret, hidden until asked for, and "rotate" (the old one stops working at once). */
export function CallbackSecret({ campaignId }: { campaignId: string }) {
	const [shown, setShown] = useState(false);
	const [confirming, setConfirming] = useState(false);
	const secret = useCallbackSecret(campaignId, shown);
	const rotate = useRotateCallbackSecret(campaignId);
	const error = secret.error ?? rotate.error;
	return (
		<div className="card inline-form" data-testid="callback-secret">
			<span>Callback signing secret: </span>
			{shown ? <code data-testid="callback-secret-value">{secret.data?.secret ?? '…'}</code> : <code>whsec_••••••••</code>}{' '}
			<button type="button" className="link" onClick={() => setShown(!shown)} data-testid="callback-secret-toggle">
				{shown ? 'Hide' : 'Show'}
			</button>{' '}
			{confirming ? (
				<span className="confirm">
					Receivers must switch to the new secret: requests signed with the old one stop at once.{' '}
					<button
						type="button"
						className="danger"
						disabled={rotate.isPending}
						onClick={() => (setConfirming(false), setShown(true), rotate.mutate())}
						data-testid="callback-secret-rotate-confirm"
					>
						Rotate
					</button>{' '}
					<button type="button" onClick={() => setConfirming(false)}>
						Keep it
					</button>
				</span>
			) : (
				<button type="button" onClick={() => setConfirming(true)} data-testid="callback-secret-rotate">
					Rotate
				</button>
			)}
			{error && (
				<div className="field-error" role="alert">
					{errorMessage(error)}
				</div>
			)}
		</div>
	);
}
