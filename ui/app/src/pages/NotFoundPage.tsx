import { Link } from 'react-router-dom';

export function NotFoundPage() {
	return (
		<div className="notice warning" data-testid="not-found">
			<strong>There is no page here.</strong> The link may be old or mistyped. <Link to="/">Go to the campaigns</Link>.
		</div>
	);
}
