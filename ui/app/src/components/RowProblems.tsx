import type { RowProblem } from '../api/types';

/** The rows of a batch that were not queued: row number (and CSV line), field, and what to do. */
export function RowProblems({ problems }: { problems: RowProblem[] }) {
	if (!problems.length) return null;
	return (
		<table className="table" data-testid="batch-rejected">
			<caption>
				{problems.length === 1 ? '1 row was' : `${problems.length} rows were`} not queued; fix {problems.length === 1 ? 'it' : 'them'} and upload
				{problems.length === 1 ? ' it' : ' them'} again
			</caption>
			<thead>
				<tr>
					<th>Row</th>
					<th>Field</th>
					<th>Problem</th>
				</tr>
			</thead>
			<tbody>
				{problems.map((problem) => (
					<tr key={`${problem.row}-${problem.field}`} data-testid={`batch-rejected-row-${problem.row}`}>
						<td>
							{problem.row}
							{problem.line ? <span className="muted"> (line {problem.line})</span> : null}
						</td>
						<td>
							<code>{problem.field}</code>
						</td>
						<td>{problem.message}</td>
					</tr>
				))}
			</tbody>
		</table>
	);
}
