import { refreshSession } from './session-sync';

/**
 * `fetch` for the app's own protected API routes (`/api/protected/*`), surviving an expired
 * access token.
 *
 * When the middleware answers 401 `{"error":"token_expired"}`, this calls `POST /api/refresh`
 * once, shared by every caller in the page waiting at that moment (and by the session keeper),
 * then sends the original request again, once. Any other answer, including a 401 for a session
 * that is over, comes back untouched; so does the first 401 when the refresh fails (`ended`:
 * sign in again; `unavailable`: try later). Cookies carry the session, so the request must be
 * same-origin (the default `credentials: 'same-origin'` sends them).
 *
 * Replaying the body: string, `URLSearchParams`, `FormData`, `Blob` and buffer bodies are sent
 * again as they are, and a `Request` is cloned before the first attempt. A `ReadableStream` body
 * (in `init.body`) can only be read once: such a request gets the 401 back instead of a retry.
 *
 * @example
 * const response = await fetchWithSession('/api/protected/me');
 * if (response.ok) {
 *   const { email } = (await response.json()) as { email?: string };
 * }
 */
export async function fetchWithSession(
  input: RequestInfo | URL,
  init?: RequestInit,
): Promise<Response> {
  const replayable =
    typeof ReadableStream === 'undefined' || !(init?.body instanceof ReadableStream);
  const retry = input instanceof Request && replayable ? input.clone() : input;
  const response = await fetch(input, init);
  if (!replayable || !(await isExpiredToken(response))) return response;

  const refreshed = await refreshSession();
  if (refreshed.status !== 'ok') return response;
  return fetch(retry, init);
}

/** The middleware's answer for an expired token, from this origin (never another site's 401). */
async function isExpiredToken(response: Response): Promise<boolean> {
  if (response.status !== 401) return false;
  if (new URL(response.url, window.location.href).origin !== window.location.origin) return false;
  // A clone, so the caller can still read the body of a 401 we hand back.
  const body = (await response
    .clone()
    .json()
    .catch(() => null)) as { error?: unknown } | null;
  return body?.error === 'token_expired';
}
