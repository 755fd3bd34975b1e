import { onSessionNews, refreshSession, withRefreshLock } from './session-sync';
import type { SessionSnapshot } from './session-state';

const MAX_LEAD_MS = 30_000;
const MAX_BACKOFF_MS = 30_000;
/** A rotation is never followed by another this soon, whatever the clock says (skew guard). */
const MIN_SPACING_MS = 5_000;
/** How long a tab that queued behind another for the lock waits for that tab's news. */
const NEWS_WAIT_MS = 1_000;
/** setTimeout fires at once for delays beyond 2^31 - 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface KeeperEvents {
  /** A newer session, renewed here or announced by another tab. */
  onSession(session: SessionSnapshot): void;
  /** The session is over: refresh was refused here or in another tab, or another tab signed out. */
  onEnded(): void;
}

/**
 * Keeps the session alive while the page is in use: rotates the tokens shortly before the access
 * token expires, so clicks, Server Actions and API calls never meet an expired token. Used by
 * `SessionProvider`; returns the function that stops every timer and listener.
 *
 * - Refreshes `lead` before expiry, lead = min(30 s, a quarter of the token's remaining lifetime
 *   when learned), so a 5-minute token is renewed 30 s early and an 8 s one 2 s early. An
 *   already expired one (`renewing`) is renewed at once.
 * - A hidden tab does not refresh: it catches up on `visibilitychange` or `focus` if the token
 *   expired (or came within the lead) meanwhile. Until then the middleware handles expired tokens.
 * - Tabs take turns with a Web Lock; the holder re-checks the newest expiry any tab announced
 *   (BroadcastChannel) before refreshing, so N tabs make one refresh per expiry. A tab that had
 *   to queue for the lock first gives the previous holder's announcement up to 1 s to arrive.
 * - 401 (or another tab's sign-out): `onEnded`. 503 or network error: retry with exponential
 *   backoff (1 s, 2 s, 4 s … 30 s).
 * - Never two rotations within 5 s, so a client clock far off the server's cannot cause a storm.
 *
 * It only spares the person a redirect: the middleware and the guards still check every
 * request, and the tokens never leave the HttpOnly cookies.
 */
export function keepSession(initial: SessionSnapshot, events: KeeperEvents): () => void {
  let expiresAt = 0;
  let lead = 0;
  let failures = 0;
  let busy = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onNews: (() => void) | undefined;
  const stop = new AbortController();

  const isDue = () => Date.now() >= expiresAt - lead;
  const isVisible = () => document.visibilityState === 'visible';

  const schedule = (delayMs: number) => {
    clearTimeout(timer);
    timer = setTimeout(onTimer, Math.min(Math.max(delayMs, 0), MAX_TIMER_MS));
  };

  /** A newer session (from the page, or a rotation in any tab): plan the next refresh around it. */
  const learn = (session: SessionSnapshot, minDelayMs = MIN_SPACING_MS, notify = true) => {
    if (stop.signal.aborted || session.expiresAt <= expiresAt) return;
    expiresAt = session.expiresAt;
    lead = Math.min(MAX_LEAD_MS, Math.max(0, expiresAt - Date.now()) / 4);
    failures = 0;
    schedule(Math.max(expiresAt - lead - Date.now(), minDelayMs));
    onNews?.();
    if (notify) events.onSession(session);
  };

  const end = () => {
    if (stop.signal.aborted) return;
    stop.abort();
    clearTimeout(timer);
    events.onEnded();
  };

  /** Resolves on the next `learn`, or after `ms`. */
  const news = (ms: number) =>
    new Promise<void>((resolve) => {
      const timeout = setTimeout(() => onNews?.(), ms);
      onNews = () => {
        clearTimeout(timeout);
        onNews = undefined;
        resolve();
      };
    });

  const refresh = async () => {
    if (busy) return;
    busy = true;
    try {
      const result = await withRefreshLock(async (waited) => {
        // The tab that held the lock before us was probably refreshing: give its news a moment.
        if (waited && isDue()) await news(NEWS_WAIT_MS);
        // Re-check: if any tab refreshed meanwhile, `learn` has moved expiresAt on.
        return isDue() && !stop.signal.aborted ? refreshSession() : null;
      }, stop.signal);
      if (result === null || stop.signal.aborted) return;
      if (result.status === 'ok') learn(result.session);
      else if (result.status === 'ended') end();
      else {
        failures += 1;
        schedule(Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** (failures - 1)));
      }
    } catch {
      // Aborted while waiting for the lock: the provider is gone.
    } finally {
      busy = false;
    }
  };

  function onTimer() {
    // A hidden tab waits for the person to come back (onWake) instead of extending the session.
    if (isVisible()) void refresh();
  }

  const onWake = () => {
    if (isVisible() && isDue()) void refresh();
  };

  const unsubscribe = onSessionNews((message) => {
    if (message.type === 'session') learn(message.session);
    else end();
  });
  document.addEventListener('visibilitychange', onWake);
  window.addEventListener('focus', onWake);
  learn(initial, 0, false);

  return () => {
    stop.abort();
    onNews?.();
    clearTimeout(timer);
    unsubscribe();
    document.removeEventListener('visibilitychange', onWake);
    window.removeEventListener('focus', onWake);
  };
}
