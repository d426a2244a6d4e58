import { spawn } from 'node:child_process';

/**
 * The one place that starts ffmpeg/ffprobe. Arguments are arrays handed to spawn (no shell), so nothing in a
 * script or a file name can become a command-line option; user text goes through files (see text.ts).
 */
export const FFMPEG_BIN = process.env.REELSMITH_FFMPEG_PATH || 'ffmpeg';
export const FFPROBE_BIN = process.env.REELSMITH_FFPROBE_PATH || 'ffprobe';

export interface FfmpegProgress {
	/** Seconds of output written so far. */
	time: number;
	/** 0..1 when the expected duration is known. */
	ratio?: number;
	speed?: string;
}

export interface RunOptions {
	/** Expected output duration in seconds, to turn progress into a ratio. */
	duration?: number;
	onProgress?: (progress: FfmpegProgress) => void;
	/** Kill ffmpeg after this many milliseconds (default 15 minutes). */
	timeoutMs?: number;
	signal?: AbortSignal;
	/** Working directory for ffmpeg, so filters can name files in it by a plain relative name (no path escaping). */
	cwd?: string;
}

export class FfmpegError extends Error {
	constructor(
		message: string,
		readonly args: string[],
		readonly stderr: string,
		readonly exitCode: number | null,
	) {
		super(message);
		this.name = 'FfmpegError';
	}
}

export interface ProcessResult {
	stdout: string;
	stderr: string;
}

function run(bin: string, args: string[], options: RunOptions & { progress?: boolean } = {}): Promise<ProcessResult> {
	return new Promise((resolve, reject) => {
		// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions -- running ffmpeg is this package's job; arguments are an array (no shell) and user text only reaches ffmpeg through files
		const child = spawn(bin, args, {
			stdio: ['ignore', 'pipe', 'pipe'],
			signal: options.signal,
			cwd: options.cwd,
		});
		let stdout = '';
		let stderr = '';
		let progressBuffer = '';
		const current: Record<string, string> = {};
		const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15 * 60_000);

		child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
			if (!options.progress) {
				stdout += chunk;
				return;
			}
			// `-progress pipe:1` writes key=value lines, each block closed by progress=continue|end.
			progressBuffer += chunk;
			const lines = progressBuffer.split('\n');
			progressBuffer = lines.pop() ?? '';
			for (const line of lines) {
				const eq = line.indexOf('=');
				if (eq < 0) continue;
				const key = line.slice(0, eq).trim();
				current[key] = line.slice(eq + 1).trim();
				if (key === 'progress' && options.onProgress) {
					const time = Number(current.out_time_us ?? current.out_time_ms ?? 0) / 1e6;
					options.onProgress({
						time,
						ratio: options.duration ? Math.min(1, time / options.duration) : undefined,
						speed: current.speed,
					});
				}
			}
		});
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
			stderr += chunk;
			// Keep the tail only: long renders print a lot.
			if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
		});
		child.on('error', (error) => {
			clearTimeout(timer);
			const hint =
				(error as NodeJS.ErrnoException).code === 'ENOENT'
					? `${bin} is not installed or not on PATH. Install ffmpeg (Debian: apt-get install ffmpeg) or set REELSMITH_FFMPEG_PATH.`
					: error.message;
			reject(new FfmpegError(hint, args, stderr, null));
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			if (code === 0) resolve({ stdout, stderr });
			else
				reject(
					new FfmpegError(
						`${bin} failed (${signal ? `killed by ${signal}` : `exit code ${code}`}): ${lastLines(stderr)}`,
						args,
						stderr,
						code,
					),
				);
		});
	});
}

function lastLines(text: string, count = 4): string {
	return text.trim().split('\n').slice(-count).join(' | ');
}

/** Runs ffmpeg with `args` (without the binary). Adds -hide_banner, -nostdin, -y and progress reporting. */
export function ffmpeg(args: string[], options: RunOptions = {}): Promise<ProcessResult> {
	return run(FFMPEG_BIN, ['-hide_banner', '-nostdin', '-y', '-progress', 'pipe:1', '-nostats', ...args], {
		...options,
		progress: true,
	});
}

/** Runs ffmpeg and returns its stderr (where analysis filters such as loudnorm and volumedetect report). */
export async function ffmpegAnalyse(args: string[], options: RunOptions = {}): Promise<string> {
	const { stderr } = await run(FFMPEG_BIN, ['-hide_banner', '-nostdin', '-nostats', ...args], options);
	return stderr;
}

export interface ProbeStream {
	index: number;
	codec_type: 'video' | 'audio' | 'subtitle' | 'data';
	codec_name?: string;
	width?: number;
	height?: number;
	pix_fmt?: string;
	r_frame_rate?: string;
	avg_frame_rate?: string;
	time_base?: string;
	sample_rate?: string;
	channels?: number;
	channel_layout?: string;
	duration?: string;
	nb_frames?: string;
	tags?: Record<string, string>;
}

export interface ProbeResult {
	streams: ProbeStream[];
	format: { format_name: string; duration?: string; size?: string; bit_rate?: string; tags?: Record<string, string> };
}

export async function ffprobe(file: string): Promise<ProbeResult> {
	const { stdout } = await run(FFPROBE_BIN, [
		'-v',
		'error',
		'-print_format',
		'json',
		'-show_format',
		'-show_streams',
		file,
	]);
	return JSON.parse(stdout) as ProbeResult;
}
