/** The longest intro or outro a kit may have, seconds: a bookend, not a programme. */
export const BRAND_CLIP_MAX_SECONDS = 30;
