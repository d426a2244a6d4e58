import styles from '../data/styles.json';
import type { ClipRequest } from '../providers/types';
import { drawBox, drawText, frameCount, num, silentAudio, type TextFiles } from './filters';
import { emojiFont } from './fonts';
import { lineRuns, textFor, wrapLines, type TextRun } from './text';

const STYLE = styles.styles.titleCard;

export interface TitleCardLine {
	text: string;
	/** Baseline, in still pixels. */
	baseline: number;
	kind: 'heading' | 'body';
	/** A line that mixes the text font and the emoji font: its runs, `x` in still pixels from the left edge. */
	runs?: TextRun[];
}

export interface TitleCardLayout {
	/** The still is drawn larger than the frame so the zoom stays sharp. */
	stillWidth: number;
	stillHeight: number;
	headingSize: number;
	bodySize: number;
	headingColumns: number;
	bodyColumns: number;
	lines: TitleCardLine[];
	rule: { x: number; y: number; width: number; height: number } | null;
}

const even = (value: number) => Math.max(2, 2 * Math.round(value / 2));

/** What the card shows under the heading: the action, else the visual description, else the narration. */
export function titleCardBody(request: Pick<ClipRequest, 'scene'>): string {
	const scene = request.scene;
	return [scene.action, scene.visualDescription, scene.narration].find((text) => String(text ?? '').trim()) ?? '';
}

/**
 * Places heading and body text on the still. Letter sizes follow the short side of the frame, wrap widths follow
 * its width, so a 9:16 card wraps narrower than a 16:9 one; text that does not fit ends with an ellipsis.
 */
export function layoutTitleCard(request: Pick<ClipRequest, 'scene' | 'width' | 'height'>): TitleCardLayout {
	const scale = STYLE.supersample;
	const stillWidth = even(request.width * scale);
	const stillHeight = even(request.height * scale);
	const short = Math.min(stillWidth, stillHeight);
	const headingSize = Math.round(short * STYLE.heading.size);
	const bodySize = Math.round(short * STYLE.body.size);
	const usableWidth = stillWidth * (1 - 2 * STYLE.marginX);
	const usableHeight = stillHeight * (1 - 2 * STYLE.marginY);
	const headingColumns = Math.max(6, Math.floor(usableWidth / (headingSize * STYLE.heading.charWidth)));
	const bodyColumns = Math.max(6, Math.floor(usableWidth / (bodySize * STYLE.body.charWidth)));
	const headingPitch = headingSize * STYLE.heading.lineHeight;
	const bodyPitch = bodySize * STYLE.body.lineHeight;

	// Emoji the text font lacks are drawn with the emoji font when it is installed, else left out.
	const emoji = emojiFont();
	const heading = wrapLines(
		textFor(STYLE.heading.font, request.scene.heading, emoji).replace(/\n+/g, ' '),
		headingColumns,
		STYLE.heading.maxLines,
	);
	const ruleGap = short * STYLE.rule.gap;
	const ruleHeight = Math.max(2, Math.round(short * STYLE.rule.thickness));
	const headingBlock = heading.length * headingPitch;
	const ruleBlock = heading.length > 0 ? ruleGap * 2 + ruleHeight : 0;
	const maxBodyLines = Math.max(0, Math.floor((usableHeight - headingBlock - ruleBlock) / bodyPitch));
	const body = wrapLines(textFor(STYLE.body.font, titleCardBody(request), emoji), bodyColumns, maxBodyLines);
	const bodyBlock = body.length * bodyPitch;

	const blockHeight = headingBlock + (body.length > 0 ? ruleBlock : 0) + bodyBlock;
	let top = Math.max(stillHeight * STYLE.marginY, (stillHeight - blockHeight) / 2);
	const lines: TitleCardLine[] = [];
	/** A line, split into centred runs when it needs the emoji font. */
	const line = (text: string, kind: TitleCardLine['kind'], baseline: number): TitleCardLine => {
		const font = kind === 'heading' ? STYLE.heading.font : STYLE.body.font;
		const split = lineRuns(font, emoji, text, kind === 'heading' ? headingSize : bodySize);
		if (!split.runs) return { text: split.text, kind, baseline };
		const left = (stillWidth - split.width!) / 2;
		return { text, kind, baseline, runs: split.runs.map((run) => ({ ...run, x: left + run.x })) };
	};
	// Baselines sit at ~0.8 of a line's pitch: DejaVu's ascent is about 0.93 em, the pitch 1.3–1.4 em.
	heading.forEach((text, index) => {
		lines.push(line(text, 'heading', top + index * headingPitch + headingSize * 0.95));
	});
	top += headingBlock;
	let rule: TitleCardLayout['rule'] = null;
	if (heading.length > 0 && body.length > 0) {
		const width = short * STYLE.rule.width;
		rule = { x: (stillWidth - width) / 2, y: top + ruleGap, width, height: ruleHeight };
		top += ruleBlock;
	}
	body.forEach((text, index) => {
		if (text) lines.push(line(text, 'body', top + index * bodyPitch + bodySize * 0.95));
	});
	return { stillWidth, stillHeight, headingSize, bodySize, headingColumns, bodyColumns, lines, rule };
}

/**
 * Title card: a still (gradient, heading, rule, wrapped body) drawn once at supersampled size, then a slow
 * centred zoom over the scene with zoompan. Each line is its own drawtext so it can be centred.
 */
export async function titleCardGraph(request: ClipRequest, files: TextFiles): Promise<string> {
	const layout = layoutTitleCard(request);
	const frames = frameCount(request.duration);
	const short = Math.min(layout.stillWidth, layout.stillHeight);
	const shadowOffset = short * STYLE.shadow.offset;
	const still: string[] = [
		`gradients=s=${layout.stillWidth}x${layout.stillHeight}:c0=${STYLE.background.top}:c1=${STYLE.background.bottom}` +
			`:x0=0:y0=0:x1=0:y1=${layout.stillHeight}:n=2:r=${request.fps}:speed=0.00001`,
		'trim=end_frame=1',
	];
	for (const line of layout.lines) {
		const heading = line.kind === 'heading';
		const font = heading ? STYLE.heading : STYLE.body;
		// One drawtext per run of one font; a line in one font is one run, centred by drawtext itself.
		const runs = line.runs ?? [{ text: line.text, font: font.font, x: null }];
		for (const run of runs) {
			still.push(
				drawText({
					font: run.font,
					textFile: await files.write(run.text),
					size: heading ? layout.headingSize : layout.bodySize,
					color: font.color,
					x: run.x === null ? '(w-text_w)/2' : num(run.x),
					// `ascent` is the tallest glyph of this run, so every run of a line sits on the line's baseline.
					y: `${num(line.baseline)}-ascent`,
					shadowColor: STYLE.shadow.color,
					shadowOffset,
				}),
			);
		}
	}
	if (layout.rule) {
		const { x, y, width, height } = layout.rule;
		still.push(drawBox(x, y, width, height, STYLE.rule.color));
	}
	// Converting the still to yuv420p first makes the per-frame zoom move 2.7x less data than RGBA.
	still.push('format=yuv420p');
	still.push(
		`zoompan=z='1+${num(STYLE.zoom)}*on/${frames}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2'` +
			`:d=${frames}:s=${request.width}x${request.height}:fps=${request.fps}`,
	);
	still.push(`trim=end_frame=${frames}`, 'setsar=1', 'format=yuv420p[v]');
	return `${still.join(',\n')};\n${silentAudio(frames)}`;
}
