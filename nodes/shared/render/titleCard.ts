import { assDocument, type AssStyle } from '../ass';
import brandFonts from '../data/brandFonts.json';
import styles from '../data/styles.json';
import type { BrandLook, ClipRequest } from './request';
import { drawAss, drawText, frameCount, holdStill, num, silentAudio, type TextFiles } from './filters';
import { drawFonts, fontPath } from './fonts';
import { fontMetrics } from './metrics';
import { lineRuns, textFor, wrapLines, type TextRun } from './text';

const STYLE = styles.styles.titleCard;
const FONTS: Record<string, { regular: string; bold: string; charWidth: { regular: number; bold: number } }> = brandFonts.list;

/** A brand colour as the filter graph takes it; anything but #rrggbb is refused, as it would be written into the graph. */
function colour(value: string | undefined, what: string): string | undefined {
	if (value === undefined) return undefined;
	if (!/^#[0-9a-fA-F]{6}$/.test(value)) throw new Error(`The brand kit's ${what} colour must be #rrggbb (got ${JSON.stringify(value).slice(0, 40)}).`);
	return `0x${value.slice(1).toLowerCase()}`;
}

function font(name: string | undefined, weight: 'regular' | 'bold', what: string): { font: string; charWidth: number } | undefined {
	if (name === undefined) return undefined;
	const found = Object.prototype.hasOwnProperty.call(FONTS, name) ? FONTS[name] : undefined;
	if (!found) throw new Error(`The brand kit's ${what} font must be one of ${Object.keys(FONTS).join(', ')} (got ${JSON.stringify(name).slice(0, 40)}).`);
	return { font: found[weight], charWidth: found.charWidth[weight] };
}

/** The title card's look: styles.json's, with the brand kit's colours and fonts over it. */
export function titleCardLook(brand: BrandLook | undefined) {
	const colors = brand?.colors ?? {};
	const background = colour(colors.background, 'background');
	return {
		background: {
			top: background ?? STYLE.background.top,
			bottom: colour(colors.backgroundBottom, 'background bottom') ?? background ?? STYLE.background.bottom,
		},
		heading: { ...STYLE.heading, ...font(brand?.fonts?.heading, 'bold', 'heading'), color: colour(colors.heading, 'heading') ?? STYLE.heading.color },
		body: { ...STYLE.body, ...font(brand?.fonts?.body, 'regular', 'body'), color: colour(colors.body, 'body') ?? STYLE.body.color },
		rule: { ...STYLE.rule, color: colour(colors.accent, 'accent') ?? STYLE.rule.color },
	};
}

export interface TitleCardLine {
	text: string;
	/** Baseline, in still pixels. */
	baseline: number;
	kind: 'heading' | 'body';
	/** A line that mixes the text font and the emoji font: its runs, `x` in still pixels from the left edge. */
	runs?: TextRun[];
	/** The font of a line in one font, when it is the language's and not the style's (CJK, Devanagari). */
	font?: string;
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
	/**
	 * Set for a script that needs shaping (Devanagari): every line is drawn by libass in this family, not by
	 * drawtext; `ascent`/`descent` are the font's line metrics in em (libass places and sizes lines by them).
	 */
	shaped?: { family: string; directory: string; ascent: number; descent: number };
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
export function layoutTitleCard(request: Pick<ClipRequest, 'scene' | 'width' | 'height' | 'language' | 'brand'>): TitleCardLayout {
	const look = titleCardLook(request.brand);
	// The language's fonts (CJK, Devanagari) with DejaVu and the emoji font behind them; DejaVu alone otherwise.
	const fonts = drawFonts(request.language, { heading: look.heading.font, body: look.body.font, mono: look.heading.font });
	const scale = STYLE.supersample;
	const stillWidth = even(request.width * scale);
	const stillHeight = even(request.height * scale);
	const short = Math.min(stillWidth, stillHeight);
	const headingSize = Math.round(short * look.heading.size);
	const bodySize = Math.round(short * look.body.size);
	const usableWidth = stillWidth * (1 - 2 * STYLE.marginX);
	const usableHeight = stillHeight * (1 - 2 * STYLE.marginY);
	const headingColumns = Math.max(6, Math.floor(usableWidth / (headingSize * Math.max(look.heading.charWidth, fonts.charWidth ?? 0))));
	const bodyColumns = Math.max(6, Math.floor(usableWidth / (bodySize * Math.max(look.body.charWidth, fonts.charWidth ?? 0))));
	const headingPitch = headingSize * look.heading.lineHeight;
	const bodyPitch = bodySize * look.body.lineHeight;

	// Emoji the text font lacks are drawn with the emoji font when it is installed, else left out.
	const emoji = fonts.fallbacks;
	const heading = wrapLines(
		textFor(fonts.heading, request.scene.heading, emoji).replace(/\n+/g, ' '),
		headingColumns,
		look.heading.maxLines,
	);
	const ruleGap = short * look.rule.gap;
	const ruleHeight = Math.max(2, Math.round(short * look.rule.thickness));
	const headingBlock = heading.length * headingPitch;
	const ruleBlock = heading.length > 0 ? ruleGap * 2 + ruleHeight : 0;
	const maxBodyLines = Math.max(0, Math.floor((usableHeight - headingBlock - ruleBlock) / bodyPitch));
	const body = wrapLines(textFor(fonts.body, titleCardBody(request), emoji), bodyColumns, maxBodyLines);
	const bodyBlock = body.length * bodyPitch;

	const blockHeight = headingBlock + (body.length > 0 ? ruleBlock : 0) + bodyBlock;
	let top = Math.max(stillHeight * STYLE.marginY, (stillHeight - blockHeight) / 2);
	const lines: TitleCardLine[] = [];
	/** A line, split into centred runs when it needs the emoji font. */
	const line = (text: string, kind: TitleCardLine['kind'], baseline: number): TitleCardLine => {
		const font = kind === 'heading' ? fonts.heading : fonts.body;
		// libass shapes the line and finds fonts for what the script's font lacks (emoji) itself.
		if (fonts.shaped) return { text, kind, baseline };
		const split = lineRuns(font, emoji, text, kind === 'heading' ? headingSize : bodySize);
		const own = kind === 'heading' ? look.heading.font : look.body.font;
		if (!split.runs) return { text: split.text, kind, baseline, ...(font === own ? {} : { font }) };
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
		const width = short * look.rule.width;
		rule = { x: (stillWidth - width) / 2, y: top + ruleGap, width, height: ruleHeight };
		top += ruleBlock;
	}
	body.forEach((text, index) => {
		if (text) lines.push(line(text, 'body', top + index * bodyPitch + bodySize * 0.95));
	});
	let shaped: TitleCardLayout['shaped'];
	if (fonts.shaped) {
		const metrics = fontMetrics(fontPath(fonts.body));
		shaped = { ...fonts.shaped, ascent: metrics.ascent / metrics.unitsPerEm, descent: metrics.descent / metrics.unitsPerEm };
	}
	return { stillWidth, stillHeight, headingSize, bodySize, headingColumns, bodyColumns, lines, rule, ...(shaped ? { shaped } : {}) };
}

/** The part of the still that holds text and rule (still pixels, even), with room for ascenders, descenders and shadow. */
export function textBox(layout: TitleCardLayout, shadow: number): { x: number; y: number; width: number; height: number } | null {
	const spans: Array<[number, number]> = layout.lines.map((line) => {
		const size = line.kind === 'heading' ? layout.headingSize : layout.bodySize;
		// A shaped script's font can reach further below the baseline (Lohit: vowel signs under the consonant).
		const [up, down] = [Math.max(1.25, layout.shaped?.ascent ?? 0), Math.max(0.45, layout.shaped?.descent ?? 0)];
		return [line.baseline - size * up, line.baseline + size * down];
	});
	if (layout.rule) spans.push([layout.rule.y, layout.rule.y + layout.rule.height]);
	if (spans.length === 0) return null;
	const floorEven = (value: number) => 2 * Math.floor(value / 2);
	const top = Math.max(0, floorEven(Math.min(...spans.map(([from]) => from)) - shadow));
	const bottom = Math.min(layout.stillHeight, 2 * Math.ceil((Math.max(...spans.map(([, to]) => to)) + shadow) / 2));
	// Lines are centred, so the box is too; half the side margin is left as room for lines wrapped a little wide.
	const x = floorEven((layout.stillWidth * STYLE.marginX) / 2);
	return { x, y: top, width: layout.stillWidth - 2 * x, height: Math.max(2, bottom - top) };
}

/**
 * The card's lines as an ASS script on a canvas the size of the text box, for libass: each line centred with its
 * baseline where drawtext would put it, in the style's colours and shadow, at the same em size.
 */
function shapedText(layout: TitleCardLayout, box: { x: number; y: number; width: number; height: number }, shadowOffset: number): string {
	const shaped = layout.shaped!;
	const lineHeight = shaped.ascent + shaped.descent;
	const style = (name: 'heading' | 'body', size: number): AssStyle => ({
		name,
		family: shaped.family,
		size: size * lineHeight,
		colour: STYLE[name].color,
		backColour: STYLE.shadow.color,
		shadow: Math.max(1, Math.round(shadowOffset)),
		alignment: 8,
	});
	return assDocument({
		width: box.width,
		height: box.height,
		styles: [style('heading', layout.headingSize), style('body', layout.bodySize)],
		events: layout.lines.map((line) => {
			const size = line.kind === 'heading' ? layout.headingSize : layout.bodySize;
			const top = line.baseline - box.y - shaped.ascent * size;
			// The layer is one frame, held: the event covers it whatever the scene's length.
			return { start: 0, end: 32400, style: line.kind, tags: `{\\pos(${num(box.width / 2)},${num(top)})}`, rows: [line.text] };
		}),
	});
}

/**
 * Title card: heading, rule and wrapped body drawn once, at supersampled size, onto a transparent layer that slowly
 * zooms about the frame centre over a dark gradient. Each line is its own drawtext so it can be centred. Only the
 * text layer is scaled per frame (the gradient is smooth, so zooming it showed nothing): that is a fraction of the
 * pixels zoompan moved, and the still background around the text costs the encoder almost nothing.
 */
export async function titleCardGraph(request: ClipRequest, files: TextFiles): Promise<string> {
	const layout = layoutTitleCard(request);
	const look = titleCardLook(request.brand);
	const frames = frameCount(request.duration);
	const short = Math.min(layout.stillWidth, layout.stillHeight);
	const shadowOffset = short * STYLE.shadow.offset;
	const background = [
		`gradients=s=${request.width}x${request.height}:c0=${look.background.top}:c1=${look.background.bottom}` +
			`:x0=0:y0=0:x1=0:y1=${request.height}:n=2:r=${request.fps}:speed=0.00001`,
		'trim=end_frame=1',
		'format=yuv420p',
		...holdStill(request.fps),
	];
	const box = textBox(layout, Math.ceil(shadowOffset) + 2);
	const finish = `trim=end_frame=${frames},setsar=1,format=yuv420p[v]`;
	if (!box) return `${[...background, finish].join(',\n')};\n${silentAudio(frames)}`;

	const text: string[] = [`color=c=black@0:s=${box.width}x${box.height}:r=${request.fps}`, 'format=rgba', 'trim=end_frame=1'];
	if (layout.shaped) text.push(drawAss(await files.write(shapedText(layout, box, shadowOffset), 'ass'), layout.shaped.directory));
	else for (const line of layout.lines) {
		const heading = line.kind === 'heading';
		const font = heading ? look.heading : look.body;
		// One drawtext per run of one font; a line in one font is one run, centred by drawtext itself.
		const runs = line.runs ?? [{ text: line.text, font: line.font ?? font.font, x: null }];
		for (const run of runs) {
			text.push(
				drawText({
					font: run.font,
					textFile: await files.write(run.text),
					size: heading ? layout.headingSize : layout.bodySize,
					color: font.color,
					x: run.x === null ? '(w-text_w)/2' : num(run.x - box.x),
					// `ascent` is the tallest glyph of this run, so every run of a line sits on the line's baseline.
					y: `${num(line.baseline - box.y)}-ascent`,
					shadowColor: STYLE.shadow.color,
					shadowOffset,
				}),
			);
		}
	}
	const layers: string[] = [];
	if (layout.rule) {
		// drawbox leaves the alpha of a transparent layer at 0, so the rule is a coloured block laid on instead.
		const { x, y, width, height } = layout.rule;
		const size = `${Math.max(1, Math.round(width))}x${Math.max(1, Math.round(height))}`;
		layers.push(`color=c=${look.rule.color}:s=${size}:r=${request.fps},format=rgba,trim=end_frame=1[rule]`);
		text.push(`null[canvas];\n[canvas][rule]overlay=x=${Math.round(x - box.x)}:y=${Math.round(y - box.y)}:format=auto`);
	}
	// The layer is brought to its largest size once (lanczos, from the supersampled drawing), so the per-frame
	// scale only shrinks it a little: a cheap bilinear step that stays sharp.
	const zoom = `(1+${num(STYLE.zoom)}*n/${frames})`;
	const largest = (size: number) => 2 * Math.ceil((size * (request.width / layout.stillWidth) * (1 + STYLE.zoom)) / 2);
	const [width, height] = [largest(box.width), largest(box.height)];
	const at = (size: number) => `'2*trunc(${size}*${zoom}/${num(1 + STYLE.zoom)}/2)'`;
	text.push(
		`scale=w=${width}:h=${height}:flags=lanczos`,
		'format=yuva420p',
		...holdStill(request.fps),
		`scale=w=${at(width)}:h=${at(height)}:eval=frame:flags=bilinear`,
	);
	// Frame pixels per still pixel at frame n: the still fills the frame at first and grows by `zoom` over the scene.
	const scale = `(${num(request.width / layout.stillWidth)}*${zoom})`;
	const centre = (offset: number, frame: number, size: string) => `${num(frame / 2)}+(${num(offset)})*${scale}-${size}/2`;
	const overlay =
		`[bg][text]overlay=format=yuv420:eval=frame` +
		`:x='${centre(box.x + box.width / 2 - layout.stillWidth / 2, request.width, 'overlay_w')}'` +
		`:y='${centre(box.y + box.height / 2 - layout.stillHeight / 2, request.height, 'overlay_h')}'`;
	return [`${background.join(',\n')}[bg]`, ...layers, `${text.join(',\n')}[text]`, `${overlay},\n${finish}`, silentAudio(frames)].join(';\n');
}
