import { Link, useParams } from 'react-router-dom';
import { errorMessage } from '../api/client';
import { useBatch, useExportBatch } from '../api/queries';
import { BatchProgress } from '../components/BatchProgress';
import { ErrorNotice, Loading } from '../components/Feedback';
import { RowProblems } from '../components/RowProblems';
import { RunsTable } from '../components/RunsTable';
import { useNow } from '../useNow';

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** One batch: its runs by state, the rows it refused, and the export of every finished video as one ZIP. */
export function BatchPage() {
	const { batchId = '' } = useParams();
	const now = useNow();
	const detail = useBatch(batchId);
	const exporter = useExportBatch(batchId);

	if (detail.isPending) return <Loading what="the batch" />;
	if (detail.error && !detail.data) return <ErrorNotice error={detail.error} what="the batch" onRetry={() => void detail.refetch()} />;
	const { batch, runs } = detail.data;
	const made = exporter.data && !exporter.data.running && !detail.data.export.running ? exporter.data : null;
	const writing = exporter.isPending || detail.data.export.running;

	return (
		<section data-testid="batch-page">
			<p className="crumbs">
				<Link to={`/campaigns/${batch.campaignId}`}>Campaign</Link> /
			</p>
			<div className="page-head">
				<h1>
					Batch of {batch.rows} rows <span className="muted small">({batch.source.toUpperCase()})</span>
				</h1>
				<button
					type="button"
					className="primary"
					disabled={batch.done === 0 || writing}
					title={batch.done === 0 ? 'Available once a video of the batch is finished' : undefined}
					onClick={() => exporter.mutate()}
					data-testid="batch-export"
				>
					{writing ? 'Exporting…' : 'Export batch'}
				</button>
			</div>
			<BatchProgress batch={batch} />
			{(exporter.error || detail.data.export.error) && !writing && (
				<p className="notice error" role="alert">
					{exporter.error ? errorMessage(exporter.error) : detail.data.export.error}
				</p>
			)}
			{writing && !exporter.isPending && <p className="notice info">Writing the export; its links appear here when it is done.</p>}
			{!writing && (made || batch.exportedAt) && (
				<p className="notice ok" data-testid="batch-export-links">
					{made
						? `${made.videos} video${made.videos === 1 ? '' : 's'} in ${megabytes(made.zipBytes)}${made.left.length ? `; ${made.left.length} not finished yet` : ''}. `
						: `Exported ${new Date(batch.exportedAt!).toLocaleString()}. `}
					<a href={`/api/batches/${batch.id}/export.zip`}>Download the ZIP</a> · <a href={`/api/batches/${batch.id}/manifest.json`}>manifest</a>
				</p>
			)}
			<RowProblems problems={batch.rejected} />
			<RunsTable runs={runs} now={now} />
		</section>
	);
}
