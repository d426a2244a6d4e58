import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { useBrand, useBrandVersions, useSaveBrand, useUploadLogo } from '../api/queries';
import type { BrandClip, BrandKit } from '../api/types';
import { PRESETS, STYLES } from './NewRunForm';

type Choices = ReadonlyArray<readonly [string, string]>;
const DEFAULT: Choices = [['', 'Pipeline default']];
// The terminal style's schemes (nodes/shared/data/terminalLooks.json) and the kit's fonts (brandFonts.json).
const SCHEMES: Choices = [
	['green', 'Classic Green'],
	['amber', 'Amber'],
	['solarizedDark', 'Solarized Dark'],
	['light', 'Light'],
];
const FONTS: Choices = [
	['DejaVu Sans', 'DejaVu Sans'],
	['DejaVu Serif', 'DejaVu Serif'],
	['DejaVu Sans Mono', 'DejaVu Sans Mono'],
];
const POSITIONS: Choices = [
	['topLeft', 'Top left'],
	['topRight', 'Top right'],
	['bottomLeft', 'Bottom left'],
	['bottomRight', 'Bottom right'],
	['center', 'Centre'],
];
const COLOURS = [
	['background', 'Title card background'],
	['backgroundBottom', 'Background, bottom of the gradient'],
	['heading', 'Heading'],
	['body', 'Text'],
	['accent', 'Rule under the heading'],
	['subtitles', 'Burned subtitles'],
] as const;
type ColourName = (typeof COLOURS)[number][0];

const HEX = /^#[0-9a-fA-F]{6}$/;

/** An intro/outro as the field shows it (its key or URL), and back: text that starts with a scheme is a URL. */
const clipText = (clip: BrandClip | null | undefined) => (!clip ? '' : 'url' in clip ? clip.url : clip.key);
const clipOf = (text: string): BrandClip | null => (!text.trim() ? null : /^[a-z][a-z0-9+.-]*:\/\//i.test(text.trim()) ? { url: text.trim() } : { key: text.trim() });

/** A file as base64, for the logo upload (the API takes JSON). */
function readBase64(file: File): Promise<string> {
	return new Promise((resolve, reject) => {
		const reader = new FileReader();
		reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
		reader.onerror = () => reject(new Error('The file could not be read. Choose it again.'));
		reader.readAsDataURL(file);
	});
}

function Select({
	label,
	name,
	value,
	onChange,
	choices,
}: {
	label: string;
	name: string;
	value: string;
	onChange: (value: string) => void;
	choices: Choices;
}) {
	return (
		<label className="field">
			<span>{label}</span>
			<select value={value} onChange={(e) => onChange(e.target.value)} data-testid={`brand-${name}`}>
				{choices.map(([choice, text]) => (
					<option key={choice} value={choice}>
						{text}
					</option>
				))}
			</select>
		</label>
	);
}

/**
 * The campaign's brand kit: what its runs look like unless a request says otherwise. Every save is a new version;
 * a run keeps the version it was queued with (shown on its page).
 */
export function BrandKitForm({ campaignId }: { campaignId: string }) {
	const brand = useBrand(campaignId);
	const versions = useBrandVersions(campaignId);
	const save = useSaveBrand(campaignId);
	const upload = useUploadLogo(campaignId);
	const [kit, setKit] = useState<BrandKit>({});
	const [local, setLocal] = useState('');
	// The intro and outro as typed: a key or a URL, read when the kit is saved.
	const [intro, setIntro] = useState('');
	const [outro, setOutro] = useState('');
	const current = brand.data?.brand ?? null;
	useEffect(() => {
		if (brand.data) {
			setKit(brand.data.brand?.kit ?? {});
			setIntro(clipText(brand.data.brand?.kit.intro));
			setOutro(clipText(brand.data.brand?.kit.outro));
		}
	}, [brand.data]);

	const set = (change: Partial<BrandKit>) => setKit((kit) => ({ ...kit, ...change }));
	const setColour = (name: ColourName, value: string) => set({ colors: { ...kit.colors, [name]: value || undefined } });
	const setFont = (name: 'heading' | 'body', value: string) => set({ fonts: { ...kit.fonts, [name]: value || undefined } });
	const logo = kit.logo ?? null;

	const chooseLogo = async (file: File | undefined) => {
		if (!file) return;
		setLocal('');
		if (!['image/png', 'image/jpeg'].includes(file.type)) {
			setLocal('Choose a PNG or JPEG file for the logo.');
			return;
		}
		const answer = await upload.mutateAsync({ contentType: file.type, data: await readBase64(file) }).catch(() => null);
		if (answer)
			set({ logo: { key: answer.key, position: logo?.position ?? 'bottomRight', size: logo?.size ?? 0.15, opacity: logo?.opacity ?? 0.8 } });
	};

	const submit = (event: FormEvent) => {
		event.preventDefault();
		const bad = COLOURS.find(([name]) => kit.colors?.[name] && !HEX.test(kit.colors[name]!));
		if (bad) {
			setLocal(`${bad[1]}: write the colour as #rrggbb, e.g. #0b1020, or leave it empty.`);
			return;
		}
		setLocal('');
		// Empty parts are left out: the style's own look, or the pipeline's default, applies.
		const colors = Object.fromEntries(Object.entries(kit.colors ?? {}).filter(([, value]) => value));
		const fonts = Object.fromEntries(Object.entries(kit.fonts ?? {}).filter(([, value]) => value));
		const sent: BrandKit = {
			...(kit.preset ? { preset: kit.preset } : {}),
			...(kit.style ? { style: kit.style } : {}),
			...(kit.terminalScheme ? { terminalScheme: kit.terminalScheme } : {}),
			...(kit.loudnessTarget !== undefined && !Number.isNaN(kit.loudnessTarget) ? { loudnessTarget: kit.loudnessTarget } : {}),
			...(Object.keys(colors).length ? { colors } : {}),
			...(Object.keys(fonts).length ? { fonts } : {}),
			...(logo ? { logo } : {}),
			...(clipOf(intro) ? { intro: clipOf(intro) } : {}),
			...(clipOf(outro) ? { outro: clipOf(outro) } : {}),
		};
		save.mutate(sent);
	};

	const error =
		local ||
		(save.error ? (save.error instanceof ApiError && save.error.field ? `${save.error.field}: ` : '') + errorMessage(save.error) : '') ||
		(upload.error ? errorMessage(upload.error) : '');
	return (
		<form className="card" onSubmit={submit} data-testid="brand-kit">
			<h2>Brand kit</h2>
			<p className="muted" data-testid="brand-version">
				{brand.isPending
					? 'Loading the brand kit…'
					: current
						? `Version ${current.version}, saved ${new Date(current.createdAt).toLocaleString()}. New runs use it unless their request says otherwise.`
						: 'No brand kit yet: runs use the pipeline defaults.'}
			</p>
			<div className="inline-form">
				<Select
					label="Preset"
					name="preset"
					value={kit.preset ?? ''}
					onChange={(value) => set({ preset: value || undefined })}
					choices={[...DEFAULT, ...PRESETS]}
				/>
				<Select
					label="Style"
					name="style"
					value={kit.style ?? ''}
					onChange={(value) => set({ style: value || undefined })}
					choices={[...DEFAULT, ...STYLES]}
				/>
				<Select
					label="Terminal colours"
					name="terminalScheme"
					value={kit.terminalScheme ?? ''}
					onChange={(value) => set({ terminalScheme: value || undefined })}
					choices={[...DEFAULT, ...SCHEMES]}
				/>
				<label className="field">
					<span>Loudness, LUFS (−30 to −5)</span>
					<input
						type="number"
						min={-30}
						max={-5}
						step="0.5"
						placeholder="-14"
						value={kit.loudnessTarget ?? ''}
						onChange={(e) => set({ loudnessTarget: e.target.value === '' ? undefined : Number(e.target.value) })}
						data-testid="brand-loudness"
					/>
				</label>
			</div>
			<div className="inline-form">
				{COLOURS.map(([name, label]) => (
					<label className="field" key={name}>
						<span>{label}</span>
						<span className="inline">
							<input
								type="color"
								value={HEX.test(kit.colors?.[name] ?? '') ? kit.colors![name]! : '#000000'}
								onChange={(e) => setColour(name, e.target.value)}
								aria-label={`${label} colour picker`}
							/>
							<input
								value={kit.colors?.[name] ?? ''}
								placeholder="#rrggbb"
								maxLength={7}
								size={8}
								onChange={(e) => setColour(name, e.target.value.trim())}
								data-testid={`brand-color-${name}`}
							/>
						</span>
					</label>
				))}
			</div>
			<div className="inline-form">
				<Select
					label="Heading font"
					name="font-heading"
					value={kit.fonts?.heading ?? ''}
					onChange={(value) => setFont('heading', value)}
					choices={[['', "Style's own"], ...FONTS]}
				/>
				<Select
					label="Text font"
					name="font-body"
					value={kit.fonts?.body ?? ''}
					onChange={(value) => setFont('body', value)}
					choices={[['', "Style's own"], ...FONTS]}
				/>
			</div>
			<div className="inline-form">
				<label className="field">
					<span>Logo (PNG or JPEG, at most 2 MB)</span>
					<input type="file" accept="image/png,image/jpeg" onChange={(e) => void chooseLogo(e.target.files?.[0])} data-testid="brand-logo-file" />
					{upload.isPending && <span className="muted">Uploading…</span>}
					{logo && (
						<span className="muted" data-testid="brand-logo-key">
							{logo.key}{' '}
							<button type="button" className="link" onClick={() => set({ logo: null })}>
								Remove
							</button>
						</span>
					)}
				</label>
				{logo && (
					<>
						<Select
							label="Logo position"
							name="logo-position"
							value={logo.position}
							onChange={(position) => set({ logo: { ...logo, position } })}
							choices={POSITIONS}
						/>
						<label className="field">
							<span>Logo width (share of the video width)</span>
							<input
								type="number"
								min={0.03}
								max={0.5}
								step="0.01"
								value={logo.size}
								onChange={(e) => set({ logo: { ...logo, size: Number(e.target.value) } })}
								data-testid="brand-logo-size"
							/>
						</label>
						<label className="field">
							<span>Logo opacity (0 to 1)</span>
							<input
								type="number"
								min={0}
								max={1}
								step="0.05"
								value={logo.opacity}
								onChange={(e) => set({ logo: { ...logo, opacity: Number(e.target.value) } })}
								data-testid="brand-logo-opacity"
							/>
						</label>
					</>
				)}
			</div>
			<div className="inline-form">
				<label className="field">
					<span>Intro clip (object key or https URL; at most 30 s)</span>
					<input value={intro} placeholder="brand/intro.mp4" onChange={(e) => setIntro(e.target.value)} data-testid="brand-intro" />
				</label>
				<label className="field">
					<span>Outro clip (object key or https URL; at most 30 s)</span>
					<input value={outro} placeholder="https://example.com/outro.mp4" onChange={(e) => setOutro(e.target.value)} data-testid="brand-outro" />
				</label>
			</div>
			<button type="submit" className="primary" disabled={save.isPending || upload.isPending} data-testid="brand-save">
				Save as a new version
			</button>
			{save.isSuccess && !save.isPending && (
				<span className="muted" role="status" data-testid="brand-saved">
					{' '}
					Saved as version {save.data.brand.version}.
				</span>
			)}
			{error && (
				<div className="field-error" role="alert" data-testid="brand-error">
					{error}
				</div>
			)}
			{versions.data && versions.data.versions.length > 1 && (
				<details>
					<summary>Earlier versions</summary>
					<ul data-testid="brand-versions">
						{versions.data.versions.map((version) => (
							<li key={version.version}>
								Version {version.version}, {new Date(version.createdAt).toLocaleString()}: {Object.keys(version.kit).join(', ') || 'empty'}
							</li>
						))}
					</ul>
				</details>
			)}
		</form>
	);
}
