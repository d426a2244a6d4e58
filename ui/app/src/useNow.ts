import { useEffect, useState } from 'react';

/** The current time, refreshed every `ms`, so "5 min ago" and "the pipeline is slow" stay true on an open page. */
export function useNow(ms = 15_000): number {
	const [now, setNow] = useState(() => Date.now());
	useEffect(() => {
		const timer = setInterval(() => setNow(Date.now()), ms);
		return () => clearInterval(timer);
	}, [ms]);
	return now;
}
