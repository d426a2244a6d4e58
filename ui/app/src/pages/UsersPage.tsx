import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../api/client';
import {
	useAddUser,
	useApiKeys,
	useCampaigns,
	useChangeUser,
	useMakeApiKey,
	useMe,
	useResetPassword,
	useRevokeApiKey,
	useUsers,
} from '../api/queries';
import type { AdminUser, ApiKey, CampaignSummary } from '../api/types';
import { ErrorNotice, Loading } from '../components/Feedback';
import { ago } from '../format';

/** The field the server named in its 400, or '' (the message is shown beside that field). */
const fieldOf = (error: unknown) => (error instanceof ApiError ? (error.field ?? '') : '');

function FieldError({ error, field, testId }: { error: unknown; field: string | string[]; testId: string }) {
	const fields = Array.isArray(field) ? field : [field];
	if (!error || !fields.includes(fieldOf(error))) return null;
	return (
		<div className="field-error" role="alert" data-testid={testId}>
			{errorMessage(error)}
		</div>
	);
}

/** Checkboxes of every campaign; `chosen` are ticked. */
function CampaignPicker({
	campaigns,
	chosen,
	onChange,
	testId,
}: {
	campaigns: CampaignSummary[];
	chosen: string[];
	onChange: (ids: string[]) => void;
	testId: string;
}) {
	if (!campaigns.length) return <span className="muted">No campaigns yet: create one on the Campaigns page first.</span>;
	return (
		<div className="campaign-picker" data-testid={testId}>
			{campaigns.map((campaign) => (
				<label key={campaign.id} className="check">
					<input
						type="checkbox"
						checked={chosen.includes(campaign.id)}
						onChange={(e) => onChange(e.target.checked ? [...chosen, campaign.id] : chosen.filter((id) => id !== campaign.id))}
						data-testid="campaign-choice"
						data-campaign-name={campaign.name}
					/>
					{campaign.name}
				</label>
			))}
		</div>
	);
}

function AddUser({ campaigns }: { campaigns: CampaignSummary[] }) {
	const add = useAddUser();
	const [email, setEmail] = useState('');
	const [name, setName] = useState('');
	const [password, setPassword] = useState('');
	const [role, setRole] = useState<'admin' | 'manager'>('manager');
	const [campaignIds, setCampaignIds] = useState<string[]>([]);
	const submit = (event: FormEvent) => {
		event.preventDefault();
		add.mutate(
			{ email: email.trim(), name: name.trim(), password, role, campaignIds: role === 'manager' ? campaignIds : [] },
			{ onSuccess: () => (setEmail(''), setName(''), setPassword(''), setCampaignIds([])) },
		);
	};
	const other = add.error && !['email', 'password', 'campaignIds', 'role'].includes(fieldOf(add.error));
	return (
		<form className="card" onSubmit={submit} data-testid="add-user">
			<h2>Add a user</h2>
			<div className="inline-form">
				<label className="field">
					<span>Email</span>
					<input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} data-testid="add-user-email" />
					<FieldError error={add.error} field="email" testId="add-user-email-error" />
				</label>
				<label className="field">
					<span>Name (optional)</span>
					<input value={name} maxLength={200} onChange={(e) => setName(e.target.value)} data-testid="add-user-name" />
				</label>
				<label className="field">
					<span>First password (at least 8 characters; tell it to them)</span>
					<input type="text" required minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} data-testid="add-user-password" />
					<FieldError error={add.error} field="password" testId="add-user-password-error" />
				</label>
				<label className="field">
					<span>Role</span>
					<select value={role} onChange={(e) => setRole(e.target.value as 'admin' | 'manager')} data-testid="add-user-role">
						<option value="manager">Manager: sees the campaigns given</option>
						<option value="admin">Admin: sees everything, manages users</option>
					</select>
				</label>
			</div>
			{role === 'manager' && (
				<div className="field">
					<span>Campaigns</span>
					<CampaignPicker campaigns={campaigns} chosen={campaignIds} onChange={setCampaignIds} testId="add-user-campaigns" />
					<FieldError error={add.error} field="campaignIds" testId="add-user-campaigns-error" />
				</div>
			)}
			<button type="submit" className="primary" disabled={add.isPending} data-testid="add-user-submit">
				Add user
			</button>
			{other && (
				<div className="field-error" role="alert" data-testid="add-user-error">
					{errorMessage(add.error)}
				</div>
			)}
			{add.isSuccess && (
				<div className="notice ok small" role="status" data-testid="add-user-done">
					{add.data.user.email} can now log in with the password you set.
				</div>
			)}
		</form>
	);
}

function UserRow({ user, campaigns, isMe }: { user: AdminUser; campaigns: CampaignSummary[]; isMe: boolean }) {
	const change = useChangeUser();
	const reset = useResetPassword();
	const [editing, setEditing] = useState(false);
	const [chosen, setChosen] = useState(user.campaignIds);
	const names = campaigns.filter((c) => user.campaignIds.includes(c.id)).map((c) => c.name);
	const error = change.error ?? reset.error;
	return (
		<tr data-testid="user-row" data-email={user.email} data-disabled={user.disabledAt ? 'true' : 'false'}>
			<td>
				<strong>{user.name || user.email}</strong>
				{user.name && <div className="muted">{user.email}</div>}
			</td>
			<td>{user.role === 'admin' ? 'Admin' : 'Manager'}</td>
			<td data-testid="user-campaigns">
				{user.role === 'admin' ? (
					<span className="muted">All campaigns</span>
				) : editing ? (
					<>
						<CampaignPicker campaigns={campaigns} chosen={chosen} onChange={setChosen} testId="user-campaign-picker" />
						<button
							type="button"
							className="primary small"
							disabled={change.isPending}
							onClick={() => change.mutate({ id: user.id, campaignIds: chosen }, { onSuccess: () => setEditing(false) })}
							data-testid="user-campaigns-save"
						>
							Save campaigns
						</button>{' '}
						<button type="button" className="link" onClick={() => (setEditing(false), setChosen(user.campaignIds))}>
							Cancel
						</button>
					</>
				) : (
					<>
						{names.length ? names.join(', ') : <span className="muted">None yet</span>}{' '}
						<button
							type="button"
							className="link small"
							onClick={() => (setChosen(user.campaignIds), setEditing(true))}
							data-testid="user-campaigns-edit"
						>
							Change
						</button>
					</>
				)}
			</td>
			<td>
				{user.disabledAt ? (
					<span className="badge status-failed">Disabled {ago(user.disabledAt)}</span>
				) : user.lastLoginAt ? (
					`Last login ${ago(user.lastLoginAt)}`
				) : (
					'Never logged in'
				)}
			</td>
			<td>
				<button
					type="button"
					className="link small"
					disabled={reset.isPending}
					onClick={() => {
						if (window.confirm(`Reset the password of ${user.email}? They are logged out everywhere.`)) reset.mutate({ id: user.id });
					}}
					data-testid="user-reset-password"
				>
					Reset password
				</button>{' '}
				{!isMe && (
					<button
						type="button"
						className="link small"
						disabled={change.isPending}
						onClick={() => change.mutate({ id: user.id, disabled: !user.disabledAt })}
						data-testid="user-toggle-disabled"
					>
						{user.disabledAt ? 'Enable' : 'Disable'}
					</button>
				)}
				{reset.data?.generatedPassword && (
					<div className="notice ok small" role="status" data-testid="user-new-password">
						New password for {user.email}: <code>{reset.data.generatedPassword}</code> — shown only now; tell it to them.
					</div>
				)}
				{error && (
					<div className="field-error" role="alert" data-testid="user-error">
						{errorMessage(error)}
					</div>
				)}
			</td>
		</tr>
	);
}

function MakeKey({ campaigns }: { campaigns: CampaignSummary[] }) {
	const make = useMakeApiKey();
	const [name, setName] = useState('');
	const [campaignIds, setCampaignIds] = useState<string[]>([]);
	const submit = (event: FormEvent) => {
		event.preventDefault();
		make.mutate({ name: name.trim(), campaignIds }, { onSuccess: () => (setName(''), setCampaignIds([])) });
	};
	return (
		<form className="card" onSubmit={submit} data-testid="make-key">
			<h3>Make a key</h3>
			<label className="field">
				<span>Which app uses it</span>
				<input
					required
					maxLength={200}
					value={name}
					onChange={(e) => setName(e.target.value)}
					placeholder="e.g. CMS publisher"
					data-testid="make-key-name"
				/>
				<FieldError error={make.error} field="name" testId="make-key-name-error" />
			</label>
			<div className="field">
				<span>Campaigns it may use</span>
				<CampaignPicker campaigns={campaigns} chosen={campaignIds} onChange={setCampaignIds} testId="make-key-campaigns" />
				<FieldError error={make.error} field="campaignIds" testId="make-key-campaigns-error" />
			</div>
			<button type="submit" className="primary" disabled={make.isPending} data-testid="make-key-submit">
				Make key
			</button>
			{make.error && !['name', 'campaignIds'].includes(fieldOf(make.error)) && (
				<div className="field-error" role="alert">
					{errorMessage(make.error)}
				</div>
			)}
			{make.data && (
				<div className="notice ok" role="status" data-testid="new-key">
					Key for {make.data.key.name}: <code data-testid="new-key-token">{make.data.token}</code>
					<div className="next">Copy it now: it is shown only once. The app sends it as the header Authorization: Bearer &lt;key&gt;.</div>
				</div>
			)}
		</form>
	);
}

function KeyRow({ apiKey, campaigns }: { apiKey: ApiKey; campaigns: CampaignSummary[] }) {
	const revoke = useRevokeApiKey();
	const names = campaigns.filter((c) => apiKey.campaignIds.includes(c.id)).map((c) => c.name);
	return (
		<tr data-testid="key-row" data-key-name={apiKey.name} data-revoked={apiKey.revokedAt ? 'true' : 'false'}>
			<td>
				<strong>{apiKey.name}</strong> <code className="muted">{apiKey.prefix}…</code>
			</td>
			<td>{names.join(', ')}</td>
			<td>
				Made {ago(apiKey.createdAt)}
				{apiKey.createdBy ? ` by ${apiKey.createdBy}` : ''}
			</td>
			<td data-testid="key-last-used">{apiKey.lastUsedAt ? `Used ${ago(apiKey.lastUsedAt)}` : 'Not used yet'}</td>
			<td>
				{apiKey.revokedAt ? (
					<span className="badge status-cancelled">Revoked {ago(apiKey.revokedAt)}</span>
				) : (
					<button
						type="button"
						className="link small"
						disabled={revoke.isPending}
						onClick={() => {
							if (window.confirm(`Revoke the key "${apiKey.name}"? The app using it is refused from its next request.`))
								revoke.mutate({ id: apiKey.id });
						}}
						data-testid="key-revoke"
					>
						Revoke
					</button>
				)}
				{revoke.error && <div className="field-error">{errorMessage(revoke.error)}</div>}
			</td>
		</tr>
	);
}

/** Admins: the users (add a manager, their campaigns, password reset, disable) and the API keys for other apps. */
export function UsersPage() {
	const me = useMe();
	const users = useUsers();
	const apiKeys = useApiKeys();
	const campaigns = useCampaigns('', 0, 200);
	if (me.data && me.data.role !== 'admin') {
		return (
			<section data-testid="users-page">
				<div className="notice error" role="alert">
					Only an admin can manage users. Ask an admin of this dashboard.
				</div>
			</section>
		);
	}
	if (users.isPending || campaigns.isPending) return <Loading what="the users" />;
	if (users.error) return <ErrorNotice error={users.error} what="the users" onRetry={() => void users.refetch()} />;
	const allCampaigns = campaigns.data?.campaigns ?? [];
	return (
		<section data-testid="users-page">
			<div className="page-head">
				<h1>Users</h1>
			</div>
			<table className="table" data-testid="users-table">
				<thead>
					<tr>
						<th>User</th>
						<th>Role</th>
						<th className="wide">Campaigns</th>
						<th>Status</th>
						<th />
					</tr>
				</thead>
				<tbody>
					{users.data.users.map((user) => (
						<UserRow key={`${user.id}:${user.campaignIds.join(',')}`} user={user} campaigns={allCampaigns} isMe={user.id === me.data?.id} />
					))}
				</tbody>
			</table>
			<AddUser campaigns={allCampaigns} />

			<h2>API keys</h2>
			<p className="muted">
				For other apps: a key works like a manager of its campaigns only, sent as <code>Authorization: Bearer &lt;key&gt;</code>. The API is described
				at <a href="/api/docs">/api/docs</a>.
			</p>
			{apiKeys.error ? (
				<ErrorNotice error={apiKeys.error} what="the API keys" onRetry={() => void apiKeys.refetch()} />
			) : (
				<table className="table" data-testid="keys-table">
					<thead>
						<tr>
							<th>Key</th>
							<th>Campaigns</th>
							<th>Made</th>
							<th>Last used</th>
							<th />
						</tr>
					</thead>
					<tbody>
						{apiKeys.data?.keys.map((apiKey) => (
							<KeyRow key={apiKey.id} apiKey={apiKey} campaigns={allCampaigns} />
						))}
						{apiKeys.data?.keys.length === 0 && (
							<tr>
								<td colSpan={5} className="empty">
									No API keys yet.
								</td>
							</tr>
						)}
					</tbody>
				</table>
			)}
			<MakeKey campaigns={allCampaigns} />
		</section>
	);
}
