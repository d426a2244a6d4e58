/** How numbers, times and states read on screen. */

export function usd(value: number | null | undefined, digits = 2): string {
	if (value === null || value === undefined || Number.isNaN(Number(value))) return '—';
	const n = Number(value);
	return `$${n.toFixed(n !== 0 && Math.abs(n) < 0.01 ? 4 : digits)}`;
}

export function percent(value: number | null | undefined): string {
	if (value === null || value === undefined) return '—';
	return `${Math.round(Number(value) * 100)} %`;
}

export function seconds(value: number | null | undefined): string {
	if (value === null || value === undefined) return '—';
	const s = Math.round(Number(value));
	if (s < 60) return `${Number(value) < 10 ? Number(value).toFixed(1) : s} s`;
	const m = Math.floor(s / 60);
	if (m < 60) return `${m} min ${s % 60} s`;
	return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function ago(iso: string | null | undefined, now = Date.now()): string {
	if (!iso) return '—';
	const diff = Math.max(0, now - new Date(iso).getTime()) / 1000;
	if (diff < 45) return 'just now';
	if (diff < 3600) return `${Math.round(diff / 60)} min ago`;
	if (diff < 86_400) return `${Math.round(diff / 3600)} h ago`;
	return new Date(iso).toLocaleDateString();
}

export function clock(iso: string | null | undefined): string {
	if (!iso) return '—';
	return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export const STATUS_LABEL: Record<string, string> = {
	queued: 'Queued',
	starting: 'Starting',
	running: 'Running',
	awaiting_approval: 'Awaiting approval',
	completed: 'Completed',
	failed: 'Failed',
	cancelled: 'Cancelled',
	pending: 'Waiting',
	generating: 'Generating',
};

export const ACTIVE = new Set(['queued', 'starting', 'running', 'awaiting_approval']);
