import { useState, type FormEvent } from 'react';
import { Navigate, useSearchParams } from 'react-router-dom';
import { ApiError, errorMessage } from '../api/client';
import { useLogin, useMe } from '../api/queries';

function loginMessage(error: unknown): string {
	if (error instanceof ApiError && error.status === 401) return 'Wrong email or password. Check both and try again.';
	if (error instanceof ApiError && error.status === 429) {
		const minutes = error.retryAfter ? Math.max(1, Math.ceil(error.retryAfter / 60)) : 15;
		return `Too many failed logins. Wait ${minutes} min, then try again (or ask an admin to check your account).`;
	}
	return errorMessage(error);
}

/** Only same-site paths, so a crafted ?next= cannot send someone elsewhere after login. */
function safeNext(next: string | null): string {
	return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

export function LoginPage() {
	const [params] = useSearchParams();
	const me = useMe();
	const login = useLogin();
	const [email, setEmail] = useState('');
	const [password, setPassword] = useState('');
	const next = safeNext(params.get('next'));

	if (me.data || login.isSuccess) return <Navigate to={next} replace />;

	const submit = (event: FormEvent) => {
		event.preventDefault();
		login.mutate({ email: email.trim().toLowerCase(), password });
	};

	return (
		<main className="login">
			<form className="card" onSubmit={submit} data-testid="login-form">
				<h1>Reelsmith</h1>
				<p className="muted">Log in to follow your campaigns.</p>
				<label>
					Email
					<input
						type="email"
						autoComplete="username"
						required
						value={email}
						onChange={(e) => setEmail(e.target.value)}
						data-testid="login-email"
					/>
				</label>
				<label>
					Password
					<input
						type="password"
						autoComplete="current-password"
						required
						value={password}
						onChange={(e) => setPassword(e.target.value)}
						data-testid="login-password"
					/>
				</label>
				{login.error && (
					<div className="notice error small" role="alert" data-testid="login-error">
						{loginMessage(login.error)}
					</div>
				)}
				<button type="submit" className="primary" disabled={login.isPending} data-testid="login-submit">
					{login.isPending ? 'Logging in…' : 'Log in'}
				</button>
				<p className="muted small">
					The first admin comes from REELSMITH_ADMIN_EMAIL and REELSMITH_ADMIN_PASSWORD (or the password `npm start` printed once).
				</p>
			</form>
		</main>
	);
}
