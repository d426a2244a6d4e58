/** One line of the reliability table, its targets, and the table as printed. */
export interface Row {
	scenario: string;
	trials: number;
	completed: number;
	/** Runs that failed with a readable message naming their scenes. */
	failedReadable: number;
	/** Runs not terminal within the bound. */
	stuck: number;
	/** Provider tasks billed that the run's ledger never recorded (so the scene paid again). */
	paidTwice: number;
	/** Providers whose bill (what the fake charged) differs from the run's cost lines for them. */
	billing: number;
	/** Rows or objects left behind by a request that was refused. */
	partialWrites: number;
	/** Answers with a 5xx status. */
	serverErrors: number;
	/** Everything else that broke a target, in words (a failure without a readable message, a 4xx without a field …). */
	problems: string[];
	/** Figures worth reading beside the table that are not failures (load: memory, start gaps). */
	notes: string[];
	/** What the target is, in words. */
	target: string;
	/** Must every trial complete (crash recovery), or may runs fail with a readable message (faults)? */
	mustComplete: boolean;
}

export function newRow(scenario: string, target: string, mustComplete: boolean): Row {
	return { scenario, target, mustComplete, trials: 0, completed: 0, failedReadable: 0, stuck: 0, paidTwice: 0, billing: 0, partialWrites: 0, serverErrors: 0, problems: [], notes: [] };
}

/** Why the row misses its target, or null when it holds. */
export function missed(row: Row): string | null {
	const reasons: string[] = [];
	if (row.stuck) reasons.push(`${row.stuck} stuck`);
	if (row.paidTwice) reasons.push(`${row.paidTwice} paid twice`);
	if (row.billing) reasons.push(`${row.billing} cost ≠ bill`);
	if (row.partialWrites) reasons.push(`${row.partialWrites} partial writes`);
	if (row.serverErrors) reasons.push(`${row.serverErrors} × 5xx`);
	if (row.mustComplete && row.completed < row.trials) reasons.push(`${row.trials - row.completed} not completed`);
	if (row.problems.length) reasons.push(`${row.problems.length} problems`);
	return reasons.length ? reasons.join(', ') : null;
}

export function formatTable(rows: Row[], header: string): string {
	const columns = ['scenario', 'trials', 'completed', 'failed (readable)', 'stuck', 'paid twice', 'cost ≠ bill', 'partial writes', '5xx', 'target', 'result'];
	const lines = rows.map((row) => [
		row.scenario,
		String(row.trials),
		String(row.completed),
		String(row.failedReadable),
		String(row.stuck),
		String(row.paidTwice),
		String(row.billing),
		String(row.partialWrites),
		String(row.serverErrors),
		row.target,
		missed(row) ? `MISSED: ${missed(row)}` : 'held',
	]);
	const widths = columns.map((column, index) => Math.max(column.length, ...lines.map((line) => line[index].length)));
	const format = (cells: string[]) => `| ${cells.map((cell, index) => cell.padEnd(widths[index])).join(' | ')} |`;
	const out = [header, '', format(columns), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...lines.map(format)];
	for (const row of rows) for (const note of row.notes) out.push(`  ${row.scenario}: ${note}`);
	for (const row of rows) for (const problem of row.problems.slice(0, 10)) out.push(`  ${row.scenario}: ${problem}`);
	return out.join('\n');
}
