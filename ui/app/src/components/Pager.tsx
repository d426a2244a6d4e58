export function Pager({
	offset,
	limit,
	total,
	onChange,
	what,
}: {
	offset: number;
	limit: number;
	total: number;
	onChange: (offset: number) => void;
	what: string;
}) {
	if (total <= limit && offset === 0)
		return <p className="muted pager">{total === 1 ? `1 ${what.replace(/s$/, '')}` : `${total} ${what}`}</p>;
	const last = Math.min(offset + limit, total);
	return (
		<div className="pager" data-testid="pager">
			<button type="button" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
				← Previous
			</button>
			<span>
				{total ? offset + 1 : 0}–{last} of {total} {what}
			</span>
			<button type="button" disabled={last >= total} onClick={() => onChange(offset + limit)} data-testid="pager-next">
				Next →
			</button>
		</div>
	);
}
