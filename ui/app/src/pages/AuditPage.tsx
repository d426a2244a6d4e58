import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useAudit } from '../api/queries';
import type { AuditEntry } from '../api/types';
import { ErrorNotice, Loading } from '../components/Feedback';
import { clock } from '../format';

const SUBJECTS = ['', 'run', 'campaign', 'user', 'key'];

function Subject({ entry }: { entry: AuditEntry }) {
	const id = entry.subjectId ?? '';
	if (entry.subjectType === 'run' && id) return <Link to={`/runs/${id}`}>run {id.slice(0, 8)}</Link>;
	if (entry.subjectType === 'campaign' && id) return <Link to={`/campaigns/${id}`}>campaign {id.slice(0, 8)}</Link>;
	return (
		<span>
			{entry.subjectType} {id.slice(0, 8)}
		</span>
	);
}

const shown = (value: unknown) => (value === null || value === undefined ? '—' : JSON.stringify(value));

/** Who did what (admins): approvals, cancels, retries, campaign and budget changes, users and keys. */
export function AuditPage() {
	const [subjectType, setSubjectType] = useState('');
	const [pages, setPages] = useState<number[]>([0]);
	const before = pages[pages.length - 1];
	const audit = useAudit(subjectType, before);
	return (
		<section data-testid="audit-page">
			<div className="page-head">
				<h1>Audit</h1>
				<label>
					Show{' '}
					<select
						value={subjectType}
						onChange={(event) => (setSubjectType(event.target.value), setPages([0]))}
						data-testid="audit-filter"
					>
						{SUBJECTS.map((subject) => (
							<option key={subject} value={subject}>
								{subject ? `${subject} changes` : 'everything'}
							</option>
						))}
					</select>
				</label>
			</div>
			{audit.isPending ? (
				<Loading what="the audit trail" />
			) : audit.error ? (
				<ErrorNotice error={audit.error} what="the audit trail" onRetry={() => void audit.refetch()} />
			) : audit.data.entries.length === 0 ? (
				<p className="muted">Nothing recorded yet.</p>
			) : (
				<>
					<table className="table compact" data-testid="audit-table">
						<thead>
							<tr>
								<th>When</th>
								<th>Who</th>
								<th>What</th>
								<th>On</th>
								<th>Before</th>
								<th>After</th>
							</tr>
						</thead>
						<tbody>
							{audit.data.entries.map((entry) => (
								<tr key={entry.id} data-testid="audit-row" data-action={entry.action}>
									<td title={entry.at}>{clock(entry.at)}</td>
									<td>{entry.actor}</td>
									<td>{entry.action}</td>
									<td>
										<Subject entry={entry} />
									</td>
									<td className="small">
										<code>{shown(entry.before)}</code>
									</td>
									<td className="small">
										<code>{shown(entry.after)}</code>
									</td>
								</tr>
							))}
						</tbody>
					</table>
					<div className="actions">
						{pages.length > 1 && (
							<button type="button" onClick={() => setPages(pages.slice(0, -1))}>
								Newer
							</button>
						)}
						{audit.data.next !== null && (
							<button type="button" onClick={() => setPages([...pages, audit.data.next!])}>
								Older
							</button>
						)}
					</div>
				</>
			)}
		</section>
	);
}
