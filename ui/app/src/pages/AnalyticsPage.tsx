import { useSearchParams } from 'react-router-dom';
import { Bar, BarChart, CartesianGrid, Legend, Line, ComposedChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useAnalytics, useCampaigns } from '../api/queries';
import { ErrorNotice, Loading } from '../components/Feedback';

const DAYS = [7, 30, 90];
const STAGE_LABEL: Record<string, string> = { run: 'whole run', approval: 'approval wait' };

function Empty({ children }: { children: string }) {
	return <p className="muted empty-chart">{children}</p>;
}

/** One bar per category (stage, provider …): the average named by `name`, in `unit`. */
function AverageBars(props: { data: object[]; category: string; average: string; unit: string; name: string; fill: string }) {
	return (
		<ResponsiveContainer width="100%" height={260}>
			<BarChart data={props.data}>
				<CartesianGrid strokeDasharray="3 3" />
				<XAxis dataKey={props.category} />
				<YAxis unit={props.unit} />
				<Tooltip />
				<Bar dataKey={props.average} fill={props.fill} name={props.name} isAnimationActive={false} />
			</BarChart>
		</ResponsiveContainer>
	);
}

export function AnalyticsPage() {
	const [params, setParams] = useSearchParams();
	const campaignId = params.get('campaignId') ?? '';
	const days = Number(params.get('days')) || 30;
	const analytics = useAnalytics(campaignId, days);
	// The picker lists the first 200 campaigns by the list's order; a longer list is reached from a campaign's page.
	const campaigns = useCampaigns('', 0, 200);
	const set = (key: string, value: string) => {
		const next = new URLSearchParams(params);
		if (value) next.set(key, value);
		else next.delete(key);
		setParams(next, { replace: true });
	};

	const data = analytics.data;
	const success = data?.successByDay.map((d) => ({ ...d, ratePct: d.rate === null ? null : Math.round(d.rate * 100) })) ?? [];
	// 'run' is a whole run and 'approval' the wait for a person: named so they are not read as pipeline stages.
	const stages =
		data?.stageDurations.map((s) => ({ ...s, stage: STAGE_LABEL[s.stage] ?? s.stage, avgSeconds: Math.round(s.avgSeconds * 10) / 10 })) ??
		[];
	const costs = data?.costPerVideoByProvider.map((c) => ({ ...c, avgUsd: Math.round(c.avgUsd * 10_000) / 10_000 })) ?? [];
	const reasons =
		data?.failureReasons.slice(0, 10).map((r) => ({ ...r, label: r.reason.length > 90 ? `${r.reason.slice(0, 87)}…` : r.reason })) ?? [];

	return (
		<section data-testid="analytics-page">
			<div className="page-head">
				<h1>Analytics</h1>
				<label className="inline">
					Campaign{' '}
					<select value={campaignId} onChange={(e) => set('campaignId', e.target.value)} data-testid="analytics-campaign">
						<option value="">All campaigns</option>
						{campaigns.data?.campaigns.map((c) => (
							<option key={c.id} value={c.id}>
								{c.name}
							</option>
						))}
					</select>
				</label>
				<label className="inline">
					Period{' '}
					<select value={String(days)} onChange={(e) => set('days', e.target.value)} data-testid="analytics-days">
						{DAYS.map((d) => (
							<option key={d} value={d}>
								last {d} days
							</option>
						))}
					</select>
				</label>
			</div>
			{analytics.isPending ? (
				<Loading what="analytics" />
			) : analytics.error && !data ? (
				<ErrorNotice error={analytics.error} what="analytics" onRetry={() => void analytics.refetch()} />
			) : (
				<div className="charts">
					<section className="card chart" data-testid="chart-success">
						<h2>Success rate over time</h2>
						{success.length ? (
							<ResponsiveContainer width="100%" height={260}>
								<ComposedChart data={success}>
									<CartesianGrid strokeDasharray="3 3" />
									<XAxis dataKey="day" />
									<YAxis yAxisId="runs" allowDecimals={false} />
									<YAxis yAxisId="rate" orientation="right" domain={[0, 100]} unit="%" />
									<Tooltip />
									<Legend />
									<Bar yAxisId="runs" dataKey="completed" stackId="runs" fill="#2f9e44" name="completed" isAnimationActive={false} />
									<Bar yAxisId="runs" dataKey="failed" stackId="runs" fill="#e03131" name="failed" isAnimationActive={false} />
									<Line yAxisId="rate" dataKey="ratePct" stroke="#1c7ed6" name="success rate %" connectNulls isAnimationActive={false} />
								</ComposedChart>
							</ResponsiveContainer>
						) : (
							<Empty>No finished runs in this period.</Empty>
						)}
					</section>
					<section className="card chart" data-testid="chart-stages">
						<h2>Average time per stage</h2>
						{stages.length ? (
							<AverageBars data={stages} category="stage" average="avgSeconds" unit=" s" name="average seconds" fill="#1c7ed6" />
						) : (
							<Empty>No stage has finished in this period.</Empty>
						)}
					</section>
					<section className="card chart" data-testid="chart-costs">
						<h2>Cost per video by provider</h2>
						{costs.some((c) => c.avgUsd > 0) ? (
							<AverageBars data={costs} category="provider" average="avgUsd" unit=" $" name="average $ per video" fill="#f08c00" />
						) : (
							<Empty>
								{costs.length
									? `Only offline providers (${costs.map((c) => c.provider).join(', ')}) made videos in this period: they cost nothing.`
									: 'No costs recorded in this period.'}
							</Empty>
						)}
					</section>
					<section className="card chart" data-testid="chart-failures">
						<h2>Most common failure reasons</h2>
						{reasons.length ? (
							<ResponsiveContainer width="100%" height={Math.max(160, reasons.length * 34)}>
								<BarChart data={reasons} layout="vertical" margin={{ left: 20 }}>
									<CartesianGrid strokeDasharray="3 3" />
									<XAxis type="number" allowDecimals={false} />
									<YAxis type="category" dataKey="label" width={330} tick={{ fontSize: 12 }} />
									<Tooltip />
									<Bar dataKey="count" fill="#e03131" name="runs" isAnimationActive={false} />
								</BarChart>
							</ResponsiveContainer>
						) : (
							<Empty>No failures in this period.</Empty>
						)}
					</section>
				</div>
			)}
		</section>
	);
}
