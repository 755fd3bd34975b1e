/**
 * What the session keeper and `fetchWithSession` share in the browser: one refresh call per page
 * at a time, and the news of a new expiry, for this page and every other tab of the app.
 * No token ever reaches the browser: `/api/refresh` rotates the HttpOnly cookies and answers only
 * the new access-token expiry.
 */

/** Web Locks name: the tab holding it is the only one refreshing. */
export const REFRESH_LOCK = 'scalekit-session-refresh';
/** BroadcastChannel name: carries `{ expiresAt }` after each successful refresh. */
export const SESSION_CHANNEL = 'scalekit-session';

export type RefreshResult =
  /** Rotated; `expiresAt` is the new access token's expiry in ms since the epoch. */
  | { status: 'ok'; expiresAt: number }
  /** 401: the session is over (refresh token rejected or gone). Sign in again. */
  | { status: 'ended' }
  /** 503, another status or a network error: transient, the session is intact. Retry later. */
  | { status: 'unavailable' };

let inFlight: Promise<RefreshResult> | null = null;

/**
 * `POST /api/refresh`, once for every caller in this page that asks while a call is running.
 * On success every {@link onExpiry} listener hears the new expiry, in this tab and the others.
 */
export function refreshSession(): Promise<RefreshResult> {
  inFlight ??= postRefresh().finally(() => {
    inFlight = null;
  });
  return inFlight;
}

async function postRefresh(): Promise<RefreshResult> {
  let response: Response;
  try {
    response = await fetch('/api/refresh', {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { accept: 'application/json' },
    });
  } catch {
    return { status: 'unavailable' };
  }
  if (response.status === 401) return { status: 'ended' };
  if (!response.ok) return { status: 'unavailable' };
  const body = (await response.json().catch(() => null)) as { expiresAt?: unknown } | null;
  if (typeof body?.expiresAt !== 'number') return { status: 'unavailable' };
  announceExpiry(body.expiresAt);
  return { status: 'ok', expiresAt: body.expiresAt };
}

/** Tells every tab (this one's listeners too: the channel reaches all other channel objects). */
function announceExpiry(expiresAt: number): void {
  if (typeof BroadcastChannel === 'undefined') return;
  // A message is queued for every receiver when posted, so closing at once loses nothing.
  const channel = new BroadcastChannel(SESSION_CHANNEL);
  channel.postMessage({ expiresAt });
  channel.close();
}

/** Calls `listener` with each new expiry announced by any tab. Returns the unsubscribe function. */
export function onExpiry(listener: (expiresAt: number) => void): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => {};
  const channel = new BroadcastChannel(SESSION_CHANNEL);
  channel.onmessage = (event: MessageEvent<{ expiresAt?: unknown } | null>) => {
    if (typeof event.data?.expiresAt === 'number') listener(event.data.expiresAt);
  };
  return () => channel.close();
}

/**
 * Runs `task` while holding the cross-tab refresh lock. `task(waited)` learns whether another tab
 * held the lock first: that tab was most likely refreshing, and its announcement may still be on
 * the way (a BroadcastChannel message and a lock grant travel separately).
 * Without the Web Locks API (old browsers) it simply runs: the server single-flights anyway.
 */
export async function withRefreshLock<T>(
  task: (waited: boolean) => Promise<T>,
  signal: AbortSignal,
): Promise<T> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  if (!locks) return task(false);
  // The lock is held until the callback's promise settles; `request` resolves to its value.
  const free = await locks.request(REFRESH_LOCK, { ifAvailable: true }, async (lock) =>
    lock ? { value: await task(false) } : null,
  );
  if (free) return free.value;
  return locks.request(REFRESH_LOCK, { signal }, () => task(true));
}
