/** What workflow items carry instead of media bytes: where the object lives and what it is. */
export interface ObjectRef {
	bucket: string;
	key: string;
	contentType?: string;
	bytes?: number;
}

export interface MediaRef extends ObjectRef {
	/** Seconds. */
	duration?: number;
	width?: number;
	height?: number;
}
