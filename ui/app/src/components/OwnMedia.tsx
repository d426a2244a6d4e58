import { useState, type ChangeEvent } from 'react';
import { errorMessage, uploadMedia, type UploadedMedia } from '../api/client';

/**
 * "Your own media" on the New Run form: per scene a clip, a still or a voice-over of your own, and the run's music,
 * each uploaded to the campaign (the server answers the key) or given as an https URL. What it makes is the run
 * request's `sceneMedia` and `music`; the pipeline checks them (a 400 names e.g. sceneMedia[0].still.url).
 */
export type ScenePart = 'clip' | 'still' | 'voiceOver';
type Source = { url: string } | { key: string };
export interface MediaRow {
	id: number;
	scene: string;
	part: ScenePart;
	url: string;
	/** Set once the upload answered. */
	key: string;
	fileName: string;
	busy: boolean;
	error: string;
}
export interface MusicChoice {
	url: string;
	key: string;
	fileName: string;
	busy: boolean;
	error: string;
}

const PARTS: Array<[ScenePart, string]> = [
	['clip', 'Clip (instead of a generated one)'],
	['still', 'Still (animated by Kling/Runway, a slow zoom locally)'],
	['voiceOver', 'Voice-over (instead of speech)'],
];
const ACCEPT: Record<ScenePart | 'music', string> = {
	clip: 'video/mp4,video/quicktime,video/webm,.mp4,.mov,.webm,.mkv',
	still: 'image/png,image/jpeg,image/webp,.png,.jpg,.jpeg,.webp',
	voiceOver: 'audio/*,.wav,.mp3,.m4a,.ogg,.opus,.flac',
	music: 'audio/*,.wav,.mp3,.m4a,.ogg,.opus,.flac',
};

const source = (choice: { url: string; key: string }): Source | null =>
	choice.key ? { key: choice.key } : choice.url.trim() ? { url: choice.url.trim() } : null;

/** The request fields the rows make; scenes that are not numbers go as typed, so the pipeline's 400 names them. */
export function ownMediaRequest(rows: MediaRow[], music: MusicChoice): { sceneMedia?: unknown[]; music?: Source } {
	const byScene = new Map<string, Record<string, unknown>>();
	for (const row of rows) {
		const file = source(row);
		if (!file) continue;
		const entry = byScene.get(row.scene) ?? { scene: /^\d+$/.test(row.scene.trim()) ? Number(row.scene) : row.scene };
		entry[row.part] = file;
		byScene.set(row.scene, entry);
	}
	const bed = source(music);
	return { ...(byScene.size ? { sceneMedia: [...byScene.values()] } : {}), ...(bed ? { music: bed } : {}) };
}

export const NO_MUSIC: MusicChoice = { url: '', key: '', fileName: '', busy: false, error: '' };

export function OwnMedia({
	campaignId,
	rows,
	onRows,
	music,
	onMusic,
	errors,
}: {
	campaignId: string;
	rows: MediaRow[];
	onRows: (update: (rows: MediaRow[]) => MediaRow[]) => void;
	music: MusicChoice;
	onMusic: (update: (music: MusicChoice) => MusicChoice) => void;
	errors: { sceneMedia?: string; music?: string };
}) {
	const [next, setNext] = useState(1);
	const change = (id: number, patch: Partial<MediaRow>) => onRows((all) => all.map((row) => (row.id === id ? { ...row, ...patch } : row)));
	const upload = async (kind: UploadedMedia['kind'], file: File, done: (answer: UploadedMedia) => void, failed: (message: string) => void) => {
		try {
			done(await uploadMedia(campaignId, kind, file));
		} catch (error) {
			failed(errorMessage(error));
		}
	};
	const pickRow = (row: MediaRow) => (event: ChangeEvent<HTMLInputElement>) => {
		const file = event.target.files?.[0];
		if (!file) return;
		change(row.id, { busy: true, error: '', fileName: file.name, key: '', url: '' });
		void upload(
			row.part,
			file,
			(answer) => change(row.id, { busy: false, key: answer.key }),
			(message) => change(row.id, { busy: false, error: message }),
		);
	};
	const pickMusic = (event: ChangeEvent<HTMLInputElement>) => {
		const file = event.target.files?.[0];
		if (!file) return;
		onMusic(() => ({ ...NO_MUSIC, busy: true, fileName: file.name }));
		void upload(
			'music',
			file,
			(answer) => onMusic((now) => ({ ...now, busy: false, key: answer.key })),
			(message) => onMusic((now) => ({ ...now, busy: false, error: message })),
		);
	};

	return (
		<fieldset className="own-media" data-testid="own-media">
			<legend>Your own media (optional)</legend>
			{rows.map((row, index) => (
				<div className="row" key={row.id} data-testid={`own-media-row-${index}`}>
					<label className="field">
						<span>Scene</span>
						<input
							value={row.scene}
							inputMode="numeric"
							onChange={(e) => change(row.id, { scene: e.target.value })}
							data-testid={`own-media-scene-${index}`}
						/>
					</label>
					<label className="field">
						<span>What</span>
						<select
							value={row.part}
							onChange={(e) => change(row.id, { part: e.target.value as ScenePart, key: '', fileName: '' })}
							data-testid={`own-media-part-${index}`}
						>
							{PARTS.map(([value, label]) => (
								<option key={value} value={value}>
									{label}
								</option>
							))}
						</select>
					</label>
					<label className="field">
						<span>Upload</span>
						<input type="file" accept={ACCEPT[row.part]} onChange={pickRow(row)} data-testid={`own-media-file-${index}`} />
						{row.busy && <small className="muted">Uploading {row.fileName}…</small>}
						{row.key && (
							<small className="muted" data-testid={`own-media-uploaded-${index}`}>
								Uploaded {row.fileName}
							</small>
						)}
						{row.error && (
							<small className="error" role="alert">
								{row.error}
							</small>
						)}
					</label>
					<label className="field">
						<span>…or URL</span>
						<input
							value={row.url}
							placeholder="https://…"
							disabled={Boolean(row.key)}
							onChange={(e) => change(row.id, { url: e.target.value })}
							data-testid={`own-media-url-${index}`}
						/>
					</label>
					<button type="button" className="link" onClick={() => onRows((all) => all.filter((other) => other.id !== row.id))}>
						Remove
					</button>
				</div>
			))}
			<button
				type="button"
				className="link"
				onClick={() => {
					onRows((all) => [
						...all,
						{ id: next, scene: String(all.length + 1), part: 'still', url: '', key: '', fileName: '', busy: false, error: '' },
					]);
					setNext(next + 1);
				}}
				data-testid="own-media-add"
			>
				Add a clip, still or voice-over for a scene
			</button>
			{errors.sceneMedia && (
				<small className="error" role="alert" data-testid="own-media-error">
					{errors.sceneMedia}
				</small>
			)}
			<div className="row">
				<label className="field">
					<span>Music: upload</span>
					<input type="file" accept={ACCEPT.music} onChange={pickMusic} data-testid="own-music-file" />
					{music.busy && <small className="muted">Uploading {music.fileName}…</small>}
					{music.key && <small className="muted">Uploaded {music.fileName}</small>}
					{music.error && (
						<small className="error" role="alert">
							{music.error}
						</small>
					)}
				</label>
				<label className="field">
					<span>…or URL</span>
					<input
						value={music.url}
						placeholder="https://…"
						disabled={Boolean(music.key)}
						onChange={(e) => {
							const url = e.target.value;
							onMusic((now) => ({ ...now, url }));
						}}
						data-testid="own-music-url"
					/>
				</label>
				{errors.music && (
					<small className="error" role="alert">
						{errors.music}
					</small>
				)}
			</div>
		</fieldset>
	);
}
