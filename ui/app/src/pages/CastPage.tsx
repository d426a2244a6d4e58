import { useEffect, useState, type ChangeEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import { ApiError, errorMessage } from '../api/client';
import { useCast, useSaveCast, useUploadCastImage } from '../api/queries';
import type { Cast, CastCharacter, CastSetting } from '../api/types';
import { ErrorNotice, Loading } from '../components/Feedback';
import { ago } from '../format';

const PROVIDERS = ['espeak', 'elevenlabs', 'google'] as const;
const list = (text: string) =>
	text
		.split(',')
		.map((part) => part.trim())
		.filter(Boolean);

/** Reads a chosen file as the data URI the upload takes. */
const dataUri = (file: File) =>
	new Promise<string>((resolve, reject) => {
		const reader = new FileReader();
		reader.onload = () => resolve(String(reader.result));
		reader.onerror = () => reject(new Error(`Could not read ${file.name}. Choose the file again.`));
		reader.readAsDataURL(file);
	});

/**
 * The campaign's cast: characters (look, reference images, voice, aliases) and settings. Every run of the campaign
 * is matched to it by name; Save makes a new version, and runs already planned keep theirs.
 */
export function CastPage() {
	const { campaignId = '' } = useParams();
	const cast = useCast(campaignId);
	const save = useSaveCast(campaignId);
	const upload = useUploadCastImage(campaignId);
	const [draft, setDraft] = useState<Cast | null>(null);
	const [links, setLinks] = useState<Record<string, string>>({});
	const [version, setVersion] = useState(0);

	// A refetch of the same version (window focus, another tab) keeps the edits; a new version replaces them.
	useEffect(() => {
		if (!cast.data) return;
		setLinks((known) => ({ ...known, ...cast.data.images }));
		if (draft && cast.data.version === version) return;
		setDraft(cast.data.cast);
		setVersion(cast.data.version);
	}, [cast.data]);

	if (cast.isPending || (cast.data && !draft)) return <Loading what="the cast" />;
	if (cast.error && !cast.data) return <ErrorNotice error={cast.error} what="the cast" onRetry={() => void cast.refetch()} />;
	const current = draft!;
	const field = save.error instanceof ApiError ? save.error.field : undefined;

	const character = (index: number, change: Partial<CastCharacter>) =>
		setDraft({
			...current,
			characters: current.characters.map((member, at) => (at === index ? { ...member, ...change } : member)),
		});
	const setting = (index: number, change: Partial<CastSetting>) =>
		setDraft({
			...current,
			settings: current.settings.map((member, at) => (at === index ? { ...member, ...change } : member)),
		});
	const uploaded = async (event: ChangeEvent<HTMLInputElement>, use: (key: string) => void) => {
		const file = event.target.files?.[0];
		event.target.value = '';
		if (!file) return;
		const answer = await upload.mutateAsync(await dataUri(file));
		setLinks((known) => ({ ...known, [answer.key]: answer.url }));
		use(answer.key);
	};
	const invalid = (path: string) => (field && (field === path || field.startsWith(`${path}.`)) ? 'invalid' : undefined);

	return (
		<section data-testid="cast-page">
			<p className="crumbs">
				<Link to="/">Campaigns</Link> / <Link to={`/campaigns/${campaignId}`}>Campaign</Link> /
			</p>
			<div className="page-head">
				<h1>Cast</h1>
				<span className="muted" data-testid="cast-version">
					{version ? `Version ${version}` : 'No cast yet'}
					{cast.data?.createdBy ? `, saved by ${cast.data.createdBy}` : ''}
					{cast.data?.createdAt ? ` ${ago(cast.data.createdAt)}` : ''}
				</span>
				<button
					type="button"
					className="primary"
					disabled={save.isPending}
					onClick={() => save.mutate({ ...current, version })}
					data-testid="cast-save"
				>
					{save.isPending ? 'Saving…' : 'Save as a new version'}
				</button>
			</div>
			<p className="muted">
				Every run of this campaign is matched to the cast by name (case and accents do not matter; aliases count): a matched character gets its
				description, its reference image (Kling and Runway animate it) and its voice in every video.
			</p>
			{save.isError && (
				<div className="notice error small" role="alert" data-testid="cast-error">
					{errorMessage(save.error)}
				</div>
			)}
			{upload.isError && (
				<div className="notice error small" role="alert">
					{errorMessage(upload.error)}
				</div>
			)}

			<h2>Characters</h2>
			{current.characters.map((member, index) => (
				<fieldset className="card" key={index} data-testid="cast-character">
					<label className="field">
						<span>Name</span>
						<input
							value={member.name}
							className={invalid(`characters.${index}.name`)}
							onChange={(event) => character(index, { name: event.target.value })}
							data-testid="character-name"
						/>
					</label>
					<label className="field">
						<span>Aliases (comma-separated)</span>
						<input
							defaultValue={member.aliases.join(', ')}
							className={invalid(`characters.${index}.aliases`)}
							onBlur={(event) => character(index, { aliases: list(event.target.value) })}
							data-testid="character-aliases"
						/>
					</label>
					<label className="field">
						<span>Look</span>
						<textarea
							rows={2}
							value={member.description}
							onChange={(event) => character(index, { description: event.target.value })}
							data-testid="character-description"
						/>
					</label>
					<div className="field">
						<span>Reference images</span>
						<div className="thumbs">
							{member.images.map((key) => (
								<figure key={key}>
									{links[key] ? <img src={links[key]} alt={`${member.name} reference`} height={80} /> : <code>{key}</code>}
									<button
										type="button"
										className="link"
										onClick={() =>
											character(index, {
												images: member.images.filter((other) => other !== key),
											})
										}
									>
										Remove
									</button>
								</figure>
							))}
						</div>
						<input
							type="file"
							accept="image/png,image/jpeg,image/webp"
							onChange={(event) => void uploaded(event, (key) => character(index, { images: [...member.images, key] }))}
							data-testid="character-image"
						/>
					</div>
					<div className="field">
						<span>Voice</span>
						<select
							value={member.voice?.provider ?? ''}
							onChange={(event) =>
								character(index, {
									voice: event.target.value
										? {
												...(member.voice ?? { voice: '' }),
												provider: event.target.value as (typeof PROVIDERS)[number],
											}
										: null,
								})
							}
							data-testid="character-voice-provider"
						>
							<option value="">By their place in the script</option>
							{PROVIDERS.map((provider) => (
								<option key={provider} value={provider}>
									{provider}
								</option>
							))}
						</select>
						{member.voice && (
							<>
								<input
									value={member.voice.voice}
									placeholder="voice id, e.g. en-gb+f3"
									className={invalid(`characters.${index}.voice`)}
									onChange={(event) =>
										character(index, {
											voice: {
												...member.voice!,
												voice: event.target.value.trim(),
											},
										})
									}
									data-testid="character-voice"
								/>
								<input
									value={member.voice.language ?? ''}
									placeholder="language, e.g. en"
									onChange={(event) => {
										const { language: _old, ...rest } = member.voice!;
										character(index, {
											voice: event.target.value.trim() ? { ...rest, language: event.target.value.trim() } : rest,
										});
									}}
								/>
							</>
						)}
					</div>
					<button
						type="button"
						className="danger"
						onClick={() =>
							setDraft({
								...current,
								characters: current.characters.filter((_, at) => at !== index),
							})
						}
					>
						Remove {member.name || 'character'}
					</button>
				</fieldset>
			))}
			<button
				type="button"
				onClick={() =>
					setDraft({
						...current,
						characters: [
							...current.characters,
							{
								name: '',
								aliases: [],
								description: '',
								images: [],
								voice: null,
							},
						],
					})
				}
				data-testid="cast-add-character"
			>
				Add a character
			</button>

			<h2>Settings</h2>
			{current.settings.map((member, index) => (
				<fieldset className="card" key={index} data-testid="cast-setting">
					<label className="field">
						<span>Name</span>
						<input
							value={member.name}
							className={invalid(`settings.${index}.name`)}
							onChange={(event) => setting(index, { name: event.target.value })}
							data-testid="setting-name"
						/>
					</label>
					<label className="field">
						<span>Description</span>
						<textarea rows={2} value={member.description} onChange={(event) => setting(index, { description: event.target.value })} />
					</label>
					<div className="field">
						<span>Reference image</span>
						{member.image &&
							(links[member.image] ? <img src={links[member.image]} alt={`${member.name} reference`} height={80} /> : <code>{member.image}</code>)}
						<input
							type="file"
							accept="image/png,image/jpeg,image/webp"
							onChange={(event) => void uploaded(event, (key) => setting(index, { image: key }))}
						/>
					</div>
					<button
						type="button"
						className="danger"
						onClick={() =>
							setDraft({
								...current,
								settings: current.settings.filter((_, at) => at !== index),
							})
						}
					>
						Remove {member.name || 'setting'}
					</button>
				</fieldset>
			))}
			<button
				type="button"
				onClick={() =>
					setDraft({
						...current,
						settings: [...current.settings, { name: '', aliases: [], description: '', image: null }],
					})
				}
				data-testid="cast-add-setting"
			>
				Add a setting
			</button>

			<h2>Versions</h2>
			<ul className="plain" data-testid="cast-versions">
				{(cast.data?.versions ?? []).map((line) => (
					<li key={line.version}>
						v{line.version}: {line.characters} character
						{line.characters === 1 ? '' : 's'}, {line.settings} setting
						{line.settings === 1 ? '' : 's'}
						{line.createdBy ? `, by ${line.createdBy}` : ''} {ago(line.createdAt)}
					</li>
				))}
			</ul>
		</section>
	);
}
