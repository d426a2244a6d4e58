import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { onUnauthorized } from './api/client';
import { keys } from './api/queries';
import { Loading } from './components/Feedback';
import { Layout } from './components/Layout';
import { BatchPage } from './pages/BatchPage';
import { AuditPage } from './pages/AuditPage';
import { CampaignPage } from './pages/CampaignPage';
import { CastPage } from './pages/CastPage';
import { CampaignsPage } from './pages/CampaignsPage';
import { LoginPage } from './pages/LoginPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { RunPage } from './pages/RunPage';
import { SystemPage } from './pages/SystemPage';
import { UsersPage } from './pages/UsersPage';
import { VoicesPage } from './pages/VoicesPage';

// The charts library is most of the bundle: load it with the analytics page only.
const AnalyticsPage = lazy(() => import('./pages/AnalyticsPage').then((module) => ({ default: module.AnalyticsPage })));

export function App() {
	const client = useQueryClient();
	const navigate = useNavigate();
	const location = useLocation();

	// Any 401 (session expired, logged out elsewhere) sends the person to the login page and back here after.
	useEffect(() => {
		onUnauthorized(() => {
			client.setQueryData(keys.me, null);
			if (window.location.pathname !== '/login') {
				const next = window.location.pathname + window.location.search;
				navigate(`/login?next=${encodeURIComponent(next)}`, { replace: true });
			}
		});
	}, [client, navigate]);

	return (
		<Routes location={location}>
			<Route path="/login" element={<LoginPage />} />
			<Route element={<Layout />}>
				<Route index element={<CampaignsPage />} />
				<Route path="/campaigns" element={<Navigate to="/" replace />} />
				<Route path="/campaigns/:campaignId" element={<CampaignPage />} />
				<Route path="/campaigns/:campaignId/cast" element={<CastPage />} />
				<Route path="/runs/:runId" element={<RunPage />} />
				<Route path="/batches/:batchId" element={<BatchPage />} />
				<Route
					path="/analytics"
					element={
						<Suspense fallback={<Loading what="analytics" />}>
							<AnalyticsPage />
						</Suspense>
					}
				/>
				<Route path="/voices" element={<VoicesPage />} />
				<Route path="/system" element={<SystemPage />} />
				<Route path="/users" element={<UsersPage />} />
				<Route path="/audit" element={<AuditPage />} />
				<Route path="*" element={<NotFoundPage />} />
			</Route>
		</Routes>
	);
}
