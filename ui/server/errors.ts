/**
 * Every error the API sends is JSON `{ error: "<what happened and what to do>" }`. Handlers throw ApiError; the app's
 * error handler turns it into the answer and turns anything else into a 500 without internals (the server log has them).
 */
export class ApiError extends Error {
	constructor(
		readonly status: number,
		message: string,
		/** Extra fields for the answer, e.g. `{ field: 'name' }` or the webhook's `{ error: { field, message } }` shape. */
		readonly body?: Record<string, unknown>,
		readonly headers?: Record<string, string>,
	) {
		super(message);
	}
}

export const badRequest = (field: string, message: string) => new ApiError(400, message, { field });
export const notFound = (message: string) => new ApiError(404, message);
export const conflict = (message: string) => new ApiError(409, message);
