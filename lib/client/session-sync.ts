import { isSessionSnapshot, type SessionSnapshot } from './session-state';

/**
 * What the session provider and `fetchWithSession` share in the browser: one refresh call per
 * page at a time, and the news of the session (renewed, switched, signed out) for this page and
 * every other tab of the app. No token ever reaches the browser: `/api/refresh` rotates the
 * HttpOnly cookies and answers only the session's snapshot.
 */

/** Web Locks name: the tab holding it is the only one refreshing. */
export const REFRESH_LOCK = 'scalekit-session-refresh';
/** BroadcastChannel name: carries {@link SessionNews}. */
export const SESSION_CHANNEL = 'scalekit-session';

/** A session renewed or freshly rendered (a sign-in, an organization switch), or its end. */
export type SessionNews = { type: 'session'; session: SessionSnapshot } | { type: 'signed-out' };

export type RefreshResult =
  /** Rotated; the new session, whose `expiresAt` is the new access token's expiry. */
  | { status: 'ok'; session: SessionSnapshot }
  /** 401: the session is over (refresh token rejected or gone). Sign in again. */
  | { status: 'ended' }
  /** 503, another status or a network error: transient, the session is intact. Retry later. */
  | { status: 'unavailable' };

let inFlight: Promise<RefreshResult> | null = null;

/**
 * `POST /api/refresh`, once for every caller in this page that asks while a call is running.
 * Every tab hears the outcome ({@link onSessionNews}): the new session, or that it ended.
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
  if (response.status === 401) {
    announce({ type: 'signed-out' });
    return { status: 'ended' };
  }
  if (!response.ok) return { status: 'unavailable' };
  const body = (await response.json().catch(() => null)) as { session?: unknown } | null;
  if (!isSessionSnapshot(body?.session)) return { status: 'unavailable' };
  announce({ type: 'session', session: body.session });
  return { status: 'ok', session: body.session };
}

/**
 * Tells every tab, this one's listeners included (a channel reaches every other channel object,
 * and each listener has its own).
 */
export function announce(news: SessionNews): void {
  if (typeof BroadcastChannel === 'undefined') return;
  // A message is queued for every receiver when posted, so closing at once loses nothing.
  const channel = new BroadcastChannel(SESSION_CHANNEL);
  channel.postMessage(news);
  channel.close();
}

/** Calls `listener` with each piece of session news from any tab. Returns the unsubscribe function. */
export function onSessionNews(listener: (news: SessionNews) => void): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => {};
  const channel = new BroadcastChannel(SESSION_CHANNEL);
  channel.onmessage = (event: MessageEvent<unknown>) => {
    const news = event.data as Partial<SessionNews> | null;
    if (news?.type === 'signed-out') listener({ type: 'signed-out' });
    else if (news?.type === 'session' && isSessionSnapshot(news.session)) {
      listener({ type: 'session', session: news.session });
    }
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
