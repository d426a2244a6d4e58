/** Media functions on local files, shared by the FFmpeg node and the assembly stage. */
export * from './probe';
export * from './check';
export * from './mux';
export * from './concat';
export * from './srt';
export * from './subtitles';
export * from './loudness';
export * from './thumbnail';
export * from './watermark';
export * from './export';
export { sec } from './encoding';
export * from './music';
