import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useCampaign } from '../api/queries';
import { CallbackSecret } from '../components/CallbackSecret';
import { BatchesList } from '../components/BatchesList';
import { BatchUpload } from '../components/BatchUpload';
import { BrandKitForm } from '../components/BrandKitForm';
import { CampaignSettings } from '../components/CampaignSettings';
import { ErrorNotice, Loading } from '../components/Feedback';
import { NewRunForm } from '../components/NewRunForm';
import { Pager } from '../components/Pager';
import { RunsTable } from '../components/RunsTable';
import { percent, usd } from '../format';
import { useNow } from '../useNow';

const PAGE = 50;

export function CampaignPage() {
	const { campaignId = '' } = useParams();
	const navigate = useNavigate();
	const [offset, setOffset] = useState(0);
	const [showForm, setShowForm] = useState(false);
	const [showUpload, setShowUpload] = useState(false);
	const [editing, setEditing] = useState(false);
	const [branding, setBranding] = useState(false);
	const now = useNow();
	const detail = useCampaign(campaignId, offset, PAGE);

	if (detail.isPending) return <Loading what="the campaign" />;
	if (detail.error && !detail.data) return <ErrorNotice error={detail.error} what="the campaign" onRetry={() => void detail.refetch()} />;
	const { campaign, runs, total } = detail.data;

	return (
		<section data-testid="campaign-page">
			<p className="crumbs">
				<Link to="/">Campaigns</Link> /
			</p>
			<div className="page-head">
				<h1 data-testid="campaign-name">{campaign.name}</h1>
				<div className="stats">
					<span>{(campaign.runs ?? total) === 1 ? '1 run' : `${campaign.runs ?? total} runs`}</span>
					<span>success {percent(campaign.successRate)}</span>
					<span>
						spend {usd(campaign.spendUsd)}
						{campaign.budgetUsd !== null && campaign.budgetUsd !== undefined ? ` of ${usd(campaign.budgetUsd)}` : ''}
					</span>
					<Link to={`/analytics?campaignId=${campaign.id}`}>Analytics</Link>
					<Link to={`/campaigns/${campaign.id}/cast`} data-testid="campaign-cast">
						Cast
					</Link>
					<button type="button" className="link" onClick={() => setEditing(!editing)} data-testid="campaign-edit">
						Rename / budget
					</button>
					<button type="button" className="link" onClick={() => setBranding(!branding)} data-testid="brand-toggle">
						Brand kit
					</button>
				</div>
				<button type="button" className="primary" onClick={() => setShowForm(!showForm)} data-testid="new-run-toggle">
					{showForm ? 'Close the form' : 'New run'}
				</button>
				<button type="button" onClick={() => setShowUpload(!showUpload)} data-testid="batch-upload-toggle">
					{showUpload ? 'Close the upload' : 'Upload a batch'}
				</button>
			</div>
			{editing && <CampaignSettings campaign={campaign} onClose={() => setEditing(false)} />}
			{branding && <BrandKitForm campaignId={campaign.id} />}
			<CallbackSecret campaignId={campaign.id} />
			{detail.error && <ErrorNotice error={detail.error} what="the latest runs" onRetry={() => void detail.refetch()} />}
			{showForm && <NewRunForm campaignId={campaign.id} onStarted={(runId) => navigate(`/runs/${runId}`)} />}
			{showUpload && <BatchUpload campaignId={campaign.id} />}
			<BatchesList campaignId={campaign.id} />
			<RunsTable runs={runs} now={now} />
			<Pager offset={offset} limit={PAGE} total={total} onChange={setOffset} what="runs" />
		</section>
	);
}
