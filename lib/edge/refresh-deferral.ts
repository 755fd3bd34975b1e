import type { AccessTokenClaims } from './access-token';
import type { EdgeConfig } from './config';
import type { CookieSink, CookieSource } from './session-cookies';

/**
 * Why this exists: in a token's last seconds the middleware sends a document to `GET
 * /api/refresh` early. When the refresh meets a transient fault (Scalekit or Redis), the route
 * sends the document back to its page with the token it still has; without this note the
 * middleware would send it to refresh again, hop after hop (`ERR_TOO_MANY_REDIRECTS`, one Scalekit
 * call each). The note says "this session's early refresh failed just now: serve the token while
 * it lasts". It lives no longer than that token, names the session it is for, and only ever
 * skips the *early* refresh: an expired token is refused whatever it says.
 */
const BASE_NAME = 'sk_refresh_deferred';

function deferralName(config: Pick<EdgeConfig, 'secureCookies'>): string {
  return config.secureCookies ? `__Host-${BASE_NAME}` : BASE_NAME;
}

/**
 * Notes on the response that this session's early refresh is deferred until its access token
 * expires (at least one second, so the browser keeps it for the redirect back).
 *
 * @example
 * deferEarlyRefresh(response.cookies, claims, config); // then redirect back to the page
 */
export function deferEarlyRefresh(
  sink: CookieSink,
  claims: Pick<AccessTokenClaims, 'sid' | 'exp'>,
  config: Pick<EdgeConfig, 'secureCookies'>,
): void {
  const maxAge = Math.max(1, claims.exp - Math.floor(Date.now() / 1000));
  sink.set(deferralName(config), claims.sid, {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.secureCookies,
    path: '/',
    maxAge,
  });
}

/**
 * Whether the request carries the note {@link deferEarlyRefresh} wrote for this session. Forging
 * one gains nothing: it only lets a still-valid token be used until it expires.
 *
 * @example
 * if (isRefreshDue(claims) && !isEarlyRefreshDeferred(request.cookies, claims, config)) refresh();
 */
export function isEarlyRefreshDeferred(
  cookies: CookieSource,
  claims: Pick<AccessTokenClaims, 'sid'>,
  config: Pick<EdgeConfig, 'secureCookies'>,
): boolean {
  return cookies.get(deferralName(config))?.value === claims.sid;
}
