import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { useSaveCampaign } from '../api/queries';
import type { CampaignSummary } from '../api/types';

/** Rename a campaign and set its budget (the cap on what all its runs may spend together). */
export function CampaignSettings({ campaign, onClose }: { campaign: CampaignSummary; onClose: () => void }) {
	const save = useSaveCampaign();
	const [name, setName] = useState(campaign.name);
	const [budget, setBudget] = useState(campaign.budgetUsd === null || campaign.budgetUsd === undefined ? '' : String(campaign.budgetUsd));
	const [local, setLocal] = useState('');
	const submit = (event: FormEvent) => {
		event.preventDefault();
		const budgetUsd = budget.trim() === '' ? null : Number(budget);
		if (budgetUsd !== null && (!Number.isFinite(budgetUsd) || budgetUsd < 0)) {
			setLocal('Give the budget in US dollars, 0 or more, or leave it empty for no cap.');
			return;
		}
		setLocal('');
		save.mutate({ id: campaign.id, name: name.trim(), budgetUsd }, { onSuccess: onClose });
	};
	const error =
		local ||
		(save.error instanceof ApiError && save.error.status === 409
			? `A campaign named "${name.trim()}" already exists. Choose another name.`
			: save.error
				? errorMessage(save.error)
				: '');
	return (
		<form className="card inline-form" onSubmit={submit} data-testid="campaign-settings">
			<label className="field">
				<span>Name</span>
				<input value={name} required maxLength={200} onChange={(e) => setName(e.target.value)} data-testid="campaign-settings-name" />
			</label>
			<label className="field">
				<span>Budget, USD (empty = no cap)</span>
				<input
					type="number"
					min={0}
					step="0.01"
					value={budget}
					onChange={(e) => setBudget(e.target.value)}
					data-testid="campaign-settings-budget"
				/>
			</label>
			<button type="submit" className="primary" disabled={save.isPending} data-testid="campaign-settings-save">
				Save
			</button>
			<button type="button" className="link" onClick={onClose}>
				Cancel
			</button>
			{error && (
				<div className="field-error" role="alert" data-testid="campaign-settings-error">
					{error}
				</div>
			)}
		</form>
	);
}
