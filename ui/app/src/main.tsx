import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { ApiError } from './api/client';
import { App } from './App';
import './styles.css';

const client = new QueryClient({
	queryCache: new QueryCache(),
	defaultOptions: {
		queries: {
			// Live updates invalidate what changed; no refetch storm on window focus.
			refetchOnWindowFocus: false,
			staleTime: 5_000,
			// Retry only what may pass on its own (server down or overloaded), and only twice, so errors show soon.
			retry: (count, error) => error instanceof ApiError && (error.status === 0 || error.status >= 500) && count < 2,
			retryDelay: 1000,
		},
	},
});

createRoot(document.getElementById('root')!).render(
	<StrictMode>
		<QueryClientProvider client={client}>
			<BrowserRouter>
				<App />
			</BrowserRouter>
		</QueryClientProvider>
	</StrictMode>,
);
