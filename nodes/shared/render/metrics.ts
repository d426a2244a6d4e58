/** Font metrics live in nodes/shared (burned subtitles size a shaped script's font by them too). */
export * from '../fontMetrics';
