import { useEffect, useState, type FormEvent } from 'react';
import { errorMessage } from '../api/client';
import { useCampaigns, usePreviewVoice, useVoices } from '../api/queries';
import { ErrorNotice, Loading } from '../components/Feedback';
import { LanguagePicker } from '../components/LanguagePicker';

const PROVIDERS = [
	{ value: 'espeak', label: 'espeak-ng (offline, free)' },
	{ value: 'elevenlabs', label: 'ElevenLabs' },
	{ value: 'google', label: 'Google Text-to-Speech' },
];
const MAX_CHARACTERS = 300;
/** Google's own ranges (audioConfig); the server checks them too. */
const GOOGLE_SETTINGS = [
	{ name: 'speakingRate', label: 'Speaking rate (0.25–4, 1 = normal)', min: 0.25, max: 4, step: 0.05 },
	{ name: 'pitch', label: 'Pitch (semitones, −20 to 20)', min: -20, max: 20, step: 0.5 },
];
// Previews cost fractions of a cent: those show to the hundredth of a cent.
const usd = (amount: number | null) => `$${(amount ?? 0).toFixed(amount && amount < 0.01 ? 4 : 2)}`;

/** Pick a provider and a voice, type a line, press Play: the line is spoken through n8n and played here. */
export function VoicesPage() {
	const [provider, setProvider] = useState('espeak');
	const [search, setSearch] = useState('');
	const [language, setLanguage] = useState('');
	const [voice, setVoice] = useState('');
	const [text, setText] = useState('The lighthouse keeper counts the ships at dusk.');
	const [campaign, setCampaign] = useState('');
	const [googleSettings, setGoogleSettings] = useState<Record<string, string>>({});
	const voices = useVoices(provider, language.trim(), search.trim());
	const campaigns = useCampaigns('', 0, 200);
	const preview = usePreviewVoice();
	const list = voices.data?.voices ?? [];

	// A voice of the shown list stays chosen; otherwise the first one is.
	useEffect(() => {
		if (list.length && !list.some((entry) => entry.id === voice)) setVoice(list[0].id);
	}, [list, voice]);

	const play = (event: FormEvent) => {
		event.preventDefault();
		if (!voice || !text.trim()) return;
		const settings =
			provider === 'google'
				? Object.fromEntries(
						Object.entries(googleSettings)
							.filter(([, value]) => value.trim() !== '')
							.map(([name, value]) => [name, Number(value)]),
					)
				: {};
		preview.mutate({
			provider,
			voice,
			text: text.trim(),
			...(Object.keys(settings).length ? { settings } : {}),
			...(campaign ? { campaign } : {}),
		});
	};

	return (
		<div className="voices-page" data-testid="voices-page">
			<h1>Voices</h1>
			<p className="muted">
				Hear a voice before a run uses it. Paid voices cost their characters once (counted against the campaign you choose); the same line in the
				same voice again is played from storage for free.
			</p>
			<form className="card" onSubmit={play} noValidate>
				<label className="field">
					<span>Provider</span>
					<select
						value={provider}
						onChange={(event) => {
							setProvider(event.target.value);
							setVoice('');
							preview.reset();
						}}
						data-testid="voice-provider"
					>
						{PROVIDERS.map((entry) => (
							<option key={entry.value} value={entry.value}>
								{entry.label}
							</option>
						))}
					</select>
				</label>
				{/* A div, not a label: a click on a listed language must not refocus the box and reopen the list. */}
				<div className="field">
					<span>Language</span>
					<LanguagePicker value={language} onChange={setLanguage} emptyLabel="All languages" testId="voice-language" />
				</div>
				<label className="field">
					<span>Search</span>
					<input value={search} onChange={(event) => setSearch(event.target.value)} placeholder="name or id" data-testid="voice-search" />
				</label>
				{voices.isPending ? (
					<Loading what="voices" />
				) : voices.isError ? (
					<ErrorNotice error={voices.error} />
				) : (
					<label className="field">
						<span>Voice ({list.length})</span>
						<select value={voice} onChange={(event) => setVoice(event.target.value)} data-testid="voice-choice">
							{list.map((entry) => (
								<option key={entry.id} value={entry.id}>
									{entry.name} — {entry.id}
									{entry.languages.length ? ` (${entry.languages.join(', ')})` : ''}
									{entry.gender ? `, ${entry.gender}` : ''}
								</option>
							))}
						</select>
					</label>
				)}
				{provider === 'google' &&
					GOOGLE_SETTINGS.map((setting) => (
						<label className="field" key={setting.name}>
							<span>{setting.label}</span>
							<input
								type="number"
								min={setting.min}
								max={setting.max}
								step={setting.step}
								value={googleSettings[setting.name] ?? ''}
								placeholder="the voice's own"
								onChange={(event) => setGoogleSettings({ ...googleSettings, [setting.name]: event.target.value })}
								data-testid={`voice-setting-${setting.name}`}
							/>
						</label>
					))}
				<label className="field">
					<span>Campaign</span>
					{/* A paid preview's cost counts against the chosen campaign's budget. */}
					<select value={campaign} onChange={(event) => setCampaign(event.target.value)} data-testid="voice-campaign">
						<option value="">None (not counted against a budget)</option>
						{(campaigns.data?.campaigns ?? []).map((entry) => (
							<option key={entry.id} value={entry.id}>
								{entry.name} — spent {usd(entry.spendUsd)}
								{entry.budgetUsd === null ? ', no budget' : ` of ${usd(entry.budgetUsd)}`}
							</option>
						))}
					</select>
				</label>
				<label className="field">
					<span>
						Line ({Array.from(text).length}/{MAX_CHARACTERS})
					</span>
					<textarea value={text} maxLength={MAX_CHARACTERS} rows={3} onChange={(event) => setText(event.target.value)} data-testid="voice-text" />
				</label>
				<button type="submit" disabled={!voice || !text.trim() || preview.isPending} data-testid="voice-play">
					{preview.isPending ? 'Speaking…' : 'Play'}
				</button>
			</form>
			{preview.isError && (
				<div className="notice error small" role="alert" data-testid="voice-error">
					{errorMessage(preview.error)}
				</div>
			)}
			{preview.data && (
				<div className="card" data-testid="voice-preview">
					{/* The presigned link plays straight from storage; autoPlay because the person pressed Play. */}
					<audio key={preview.data.url} src={preview.data.url} controls autoPlay data-testid="voice-audio" />
					<p className="muted small" data-testid="voice-facts">
						{preview.data.duration.toFixed(1)} s ·{' '}
						{preview.data.cached ? 'from storage, $0' : preview.data.cost.amountUsd === 0 ? 'free' : `$${preview.data.cost.amountUsd.toFixed(4)}`}
					</p>
				</div>
			)}
		</div>
	);
}
