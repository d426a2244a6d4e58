import { STATUS_LABEL } from '../format';

export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
	return (
		<span className={`badge status-${status}`} data-testid={testId} data-status={status}>
			{STATUS_LABEL[status] ?? status}
		</span>
	);
}
