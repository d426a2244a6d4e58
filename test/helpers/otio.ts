/** The OTIO rules an editor's importer holds a file to: every object names its schema and version, times are shaped. */
export function otioProblems(value: unknown, path = 'timeline'): string[] {
	if (Array.isArray(value)) return value.flatMap((entry, index) => otioProblems(entry, `${path}[${index}]`));
	if (!value || typeof value !== 'object') return [];
	const object = value as Record<string, unknown>;
	const problems: string[] = [];
	const schema = object.OTIO_SCHEMA;
	if (schema !== undefined && (typeof schema !== 'string' || !/^[A-Z][A-Za-z]+\.\d+$/.test(schema))) problems.push(`${path}: OTIO_SCHEMA ${String(schema)}`);
	if (schema === 'RationalTime.1' && !(typeof object.rate === 'number' && object.rate > 0 && Number.isFinite(object.value))) problems.push(`${path}: RationalTime`);
	if (schema === 'TimeRange.1') {
		for (const key of ['start_time', 'duration']) {
			if ((object[key] as Record<string, unknown> | undefined)?.OTIO_SCHEMA !== 'RationalTime.1') problems.push(`${path}.${key}: not a RationalTime`);
		}
	}
	for (const key of ['source_range', 'available_range', 'marked_range']) {
		const range = object[key] as Record<string, unknown> | null | undefined;
		if (range !== undefined && range !== null && range.OTIO_SCHEMA !== 'TimeRange.1') problems.push(`${path}.${key}: not a TimeRange`);
	}
	if (schema === 'Clip.2' && !(object.media_references as Record<string, unknown>)?.[String(object.active_media_reference_key)]) {
		problems.push(`${path}: the active media reference is missing`);
	}
	for (const [key, child] of Object.entries(object)) problems.push(...otioProblems(child, `${path}.${key}`));
	return problems;
}
