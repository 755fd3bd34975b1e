/** Where a person lands after signing in when no (usable) `returnTo` was given. */
export const DEFAULT_RETURN_TO = '/dashboard';

/**
 * Longest `returnTo` kept, as it will be sent (percent-encoded): it travels in a sealed transaction
 * cookie, which must stay well under the browser's 4 KB, with up to three sign-ins in flight.
 */
const MAX_RETURN_TO_LENGTH = 1024;
/** Longest input looked at: beyond this nothing usable can come out. */
const MAX_INPUT_LENGTH = 16 * 1024;
const PROBE_ORIGIN = 'https://return-to.invalid';

/**
 * Keeps `returnTo` only when it is a relative path on this origin, else returns the default.
 * The URL parser is the judge (it is what the browser will use on the `Location` header), after
 * refusing what it would silently repair: control characters, backslashes, protocol-relative
 * starts. Next's internal `_rsc` cache-busting parameter is dropped. A result longer than
 * {@link MAX_RETURN_TO_LENGTH} (a deep link full of non-ASCII text grows ninefold when encoded)
 * keeps only its path, and the default when even that is too long: a shorter safe place, never a
 * broken sign-in.
 *
 * @example
 * sanitizeReturnTo('/dashboard?tab=2'); // "/dashboard?tab=2"
 * sanitizeReturnTo('//evil.com');       // "/dashboard"
 */
export function sanitizeReturnTo(
  value: string | null | undefined,
  fallback: string = DEFAULT_RETURN_TO,
): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_INPUT_LENGTH) {
    return fallback;
  }
  if (!value.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  if (value.startsWith('//')) return fallback;
  let url: URL;
  try {
    url = new URL(value, PROBE_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PROBE_ORIGIN) return fallback;
  url.searchParams.delete('_rsc');
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments can collapse into a protocol-relative path ("/.//evil.com" → "//evil.com").
  if (!path.startsWith('/') || path.startsWith('//')) return fallback;
  if (path.length <= MAX_RETURN_TO_LENGTH) return path;
  return url.pathname.length <= MAX_RETURN_TO_LENGTH ? url.pathname : fallback;
}
