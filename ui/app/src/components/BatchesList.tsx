import { Link } from 'react-router-dom';
import { useBatches } from '../api/queries';
import { clock } from '../format';
import { BatchProgress } from './BatchProgress';

/** The campaign's batches, newest first, each with its progress. */
export function BatchesList({ campaignId }: { campaignId: string }) {
	const batches = useBatches(campaignId);
	const list = batches.data?.batches ?? [];
	if (!list.length) return null;
	return (
		<table className="table" data-testid="batches-table">
			<thead>
				<tr>
					<th>Batch</th>
					<th>Rows</th>
					<th>Progress</th>
				</tr>
			</thead>
			<tbody>
				{list.map((batch) => (
					<tr key={batch.id} data-testid="batch-line">
						<td>
							<Link to={`/batches/${batch.id}`}>{batch.source.toUpperCase()} batch of {new Date(batch.createdAt).toLocaleDateString()} {clock(batch.createdAt)}</Link>
						</td>
						<td>
							{batch.runs} queued{batch.rejected.length ? `, ${batch.rejected.length} refused` : ''}
						</td>
						<td>
							<BatchProgress batch={batch} testId={`batch-progress-${batch.id}`} />
						</td>
					</tr>
				))}
			</tbody>
		</table>
	);
}
