import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { ApiError, errorMessage } from '../api/client';
import { useCampaigns, useSaveCampaign } from '../api/queries';
import type { CampaignSummary } from '../api/types';
import { ErrorNotice, Loading } from '../components/Feedback';
import { Pager } from '../components/Pager';
import { ago, percent, usd } from '../format';

const PAGE = 25;

function campaignError(error: unknown, name: string): string {
	if (error instanceof ApiError && error.status === 409) return `A campaign named "${name}" already exists. Choose another name.`;
	return errorMessage(error);
}

function useDebounced<T>(value: T, ms: number): T {
	const [current, setCurrent] = useState(value);
	useEffect(() => {
		const timer = setTimeout(() => setCurrent(value), ms);
		return () => clearTimeout(timer);
	}, [value, ms]);
	return current;
}

function NewCampaign() {
	const save = useSaveCampaign();
	const [name, setName] = useState('');
	const [budget, setBudget] = useState('');
	const submit = (event: FormEvent) => {
		event.preventDefault();
		save.mutate({ name: name.trim(), budgetUsd: budget === '' ? null : Number(budget) }, { onSuccess: () => (setName(''), setBudget('')) });
	};
	return (
		<form className="inline-form" onSubmit={submit} data-testid="new-campaign">
			<input
				placeholder="New campaign name"
				required
				maxLength={200}
				value={name}
				onChange={(e) => setName(e.target.value)}
				data-testid="new-campaign-name"
			/>
			<input
				type="number"
				min={0}
				step="0.01"
				placeholder="Budget $ (optional)"
				value={budget}
				onChange={(e) => setBudget(e.target.value)}
				data-testid="new-campaign-budget"
			/>
			<button type="submit" className="primary" disabled={save.isPending} data-testid="create-campaign">
				Create campaign
			</button>
			{save.error && (
				<span className="field-error" role="alert" data-testid="new-campaign-error">
					{campaignError(save.error, name)}
				</span>
			)}
		</form>
	);
}

function CampaignRow({ campaign }: { campaign: CampaignSummary }) {
	const save = useSaveCampaign();
	const [editing, setEditing] = useState(false);
	const [name, setName] = useState(campaign.name);
	const rename = (event: FormEvent) => {
		event.preventDefault();
		save.mutate({ id: campaign.id, name: name.trim() }, { onSuccess: () => setEditing(false) });
	};
	return (
		<tr data-testid="campaign-row" data-campaign-id={campaign.id}>
			<td>
				{editing ? (
					<form className="inline-form" onSubmit={rename}>
						<input value={name} required maxLength={200} onChange={(e) => setName(e.target.value)} autoFocus data-testid="rename-input" />
						<button type="submit" disabled={save.isPending} data-testid="rename-save">
							Save
						</button>
						<button type="button" className="link" onClick={() => (setEditing(false), setName(campaign.name), save.reset())}>
							Cancel
						</button>
						{save.error && <div className="field-error">{campaignError(save.error, name)}</div>}
					</form>
				) : (
					<>
						<Link to={`/campaigns/${campaign.id}`} data-testid="campaign-link">
							{campaign.name}
						</Link>{' '}
						<button type="button" className="link small" onClick={() => setEditing(true)} data-testid="rename-campaign">
							Rename
						</button>
					</>
				)}
			</td>
			<td className="num">{campaign.runs}</td>
			<td className="num">
				{campaign.running ? <span className="muted">{campaign.running} running · </span> : null}
				{percent(campaign.successRate)}
			</td>
			<td className="num">
				{usd(campaign.spendUsd)}
				{campaign.budgetUsd !== null && campaign.budgetUsd !== undefined && <span className="muted"> of {usd(campaign.budgetUsd)}</span>}
			</td>
			<td>{ago(campaign.lastActivity)}</td>
		</tr>
	);
}

export function CampaignsPage() {
	const [search, setSearch] = useState('');
	const [offset, setOffset] = useState(0);
	const query = useDebounced(search.trim(), 250);
	useEffect(() => setOffset(0), [query]);
	const campaigns = useCampaigns(query, offset, PAGE);

	return (
		<section data-testid="campaigns-page">
			<div className="page-head">
				<h1>Campaigns</h1>
				<NewCampaign />
			</div>
			<input
				type="search"
				className="search"
				placeholder="Search campaigns by name"
				value={search}
				onChange={(e) => setSearch(e.target.value)}
				data-testid="campaign-search"
			/>
			{campaigns.isPending ? (
				<Loading what="campaigns" />
			) : campaigns.error && !campaigns.data ? (
				<ErrorNotice error={campaigns.error} what="the campaigns" onRetry={() => void campaigns.refetch()} />
			) : (
				<>
					{campaigns.error && <ErrorNotice error={campaigns.error} what="the latest campaigns" onRetry={() => void campaigns.refetch()} />}
					<table className="table" data-testid="campaigns-table">
						<thead>
							<tr>
								<th>Campaign</th>
								<th className="num">Runs</th>
								<th className="num">Success rate</th>
								<th className="num">Spend</th>
								<th>Last activity</th>
							</tr>
						</thead>
						<tbody>
							{campaigns.data?.campaigns.map((campaign) => (
								<CampaignRow key={campaign.id} campaign={campaign} />
							))}
							{campaigns.data?.campaigns.length === 0 && (
								<tr>
									<td colSpan={5} className="empty">
										{query ? `No campaign matches "${query}".` : 'No campaigns yet. Create one above, or post a run to the webhook.'}
									</td>
								</tr>
							)}
						</tbody>
					</table>
					<Pager offset={offset} limit={PAGE} total={campaigns.data?.total ?? 0} onChange={setOffset} what="campaigns" />
				</>
			)}
		</section>
	);
}
