import { SIGNED_OUT, isSessionState, type SessionState } from './session-state';

/** The same-origin route that tells the browser who is signed in (app/(auth)/api/session). */
export const SESSION_ENDPOINT = '/api/session';

/**
 * `GET /api/session`: the session as the server sees it from the cookies, for a page that was
 * served static and so knows nothing of the visitor. Never cached (the route answers `no-store`
 * and `Vary: Cookie`); never a token, only the snapshot. Anything but a well-formed answer
 * (network error, 5xx, a configuration error) reads as signed out: the page then offers Sign in,
 * and the middleware and guards decide access on their own anyway.
 *
 * @example
 * const state = await fetchSessionState(controller.signal);
 */
export async function fetchSessionState(signal?: AbortSignal): Promise<SessionState> {
  try {
    const response = await fetch(SESSION_ENDPOINT, {
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { accept: 'application/json' },
      signal,
    });
    const body: unknown = response.ok ? await response.json() : null;
    return isSessionState(body) ? body : SIGNED_OUT;
  } catch (err) {
    if (signal?.aborted) throw err;
    return SIGNED_OUT;
  }
}
