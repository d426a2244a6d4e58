import { Navigate, NavLink, Outlet, useLocation } from 'react-router-dom';
import { ApiError } from '../api/client';
import { LiveContext, useLiveUpdates } from '../api/live';
import { useLogout, useMe } from '../api/queries';
import { ErrorBoundary } from './ErrorBoundary';
import { ErrorNotice, Loading } from './Feedback';

/** Every page behind the login: the session check, the header, and the one live-updates connection. */
export function Layout() {
	const me = useMe();
	const location = useLocation();
	const logout = useLogout();
	const signedIn = Boolean(me.data);
	const live = useLiveUpdates(signedIn);

	const next = encodeURIComponent(location.pathname + location.search);
	if (me.data === null || (me.error instanceof ApiError && me.error.status === 401)) return <Navigate to={`/login?next=${next}`} replace />;
	if (me.isPending) return <Loading what="your session" />;
	if (me.error) {
		return (
			<main className="page narrow">
				<ErrorNotice error={me.error} what="your session" onRetry={() => void me.refetch()} />
			</main>
		);
	}

	return (
		<div className="app">
			<header className="topbar">
				<NavLink to="/" className="brand">
					Reelsmith
				</NavLink>
				<nav>
					<NavLink to="/" end data-testid="nav-campaigns">
						Campaigns
					</NavLink>
					<NavLink to="/analytics" data-testid="nav-analytics">
						Analytics
					</NavLink>
					<NavLink to="/voices" data-testid="nav-voices">
						Voices
					</NavLink>
					{/* The System view spans every campaign: admins only (the API answers a manager 403). */}
					{me.data?.role === 'admin' && (
						<NavLink to="/system" data-testid="nav-system">
							System
						</NavLink>
					)}
					{me.data?.role === 'admin' && (
						<NavLink to="/users" data-testid="nav-users">
							Users
						</NavLink>
					)}
					{me.data?.role === 'admin' && (
						<NavLink to="/audit" data-testid="nav-audit">
							Audit
						</NavLink>
					)}
				</nav>
				<span className={`live live-${live}`} data-testid="live-state" title="Live updates from the pipeline">
					{live === 'live' ? '● Live' : live === 'connecting' ? '○ Connecting…' : '○ Reconnecting… (pages refresh when back)'}
				</span>
				<span className="user" data-testid="current-user">
					{me.data?.email}
				</span>
				<button type="button" className="link" onClick={() => logout.mutate()} data-testid="logout">
					Log out
				</button>
			</header>
			<main className="page">
				<LiveContext.Provider value={live}>
					<ErrorBoundary key={location.pathname}>
						<Outlet />
					</ErrorBoundary>
				</LiveContext.Provider>
			</main>
		</div>
	);
}
