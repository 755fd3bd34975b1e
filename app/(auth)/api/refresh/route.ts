import { NextResponse, type NextRequest } from 'next/server';
import { AuthError, isAuthError } from '@/lib/edge/errors';
import { actionRedirect, errorJson, errorPage, noStore } from '@/lib/edge/responses';
import { sanitizeReturnTo } from '@/lib/edge/return-to';
import { logAuthFailure } from '@/lib/edge/log';
import { requestKind } from '@/lib/edge/request-kind';
import type { AccessTokenClaims, OpenedAccessToken } from '@/lib/edge/access-token';
import { deferEarlyRefresh } from '@/lib/edge/refresh-deferral';
import { openAccessSession, readAccessSession } from '@/lib/edge/session';
import { StoreError } from '@/lib/edge/store-error';
import { serverConfig } from '@/lib/server/env';
import { refreshSession, type RefreshedSession } from '@/lib/server/refresh';
import { readRevocationSince } from '@/lib/server/revocation-reads';
import { authRoute } from '@/lib/server/route-handler';
import { isSameOrigin } from '@/lib/server/same-origin';
import { sessionOf, sessionSnapshot } from '@/lib/server/session';
import {
  clearSessionCookies,
  presentsSessionCookies,
  readRefreshToken,
  setSessionCookies,
} from '@/lib/server/session-records';
import { getStore } from '@/lib/server/store/get-store';

type Outcome =
  | { ok: true; session: RefreshedSession }
  /** `keepCookies`: the cookies belong to a real session this request cannot renew; leave them. */
  | { ok: false; error: AuthError; keepCookies?: boolean };

async function rotate(request: NextRequest): Promise<Outcome> {
  const outcome = await redeem(request);
  if (!outcome.ok) {
    const { code, message } = outcome.error;
    logAuthFailure({ code, route: '/api/refresh', kind: requestKind(request), detail: message });
  }
  return outcome;
}

/**
 * Redeems the refresh token of the session the access cookie proves (expired is fine: that is
 * why we are here), never another: the refresh cookie must be bound to that session's `sid`, the
 * session must not be revoked, and the new token must be the same person's.
 *
 * The revocation list is read twice: before redeeming (a revoked session does not even reach
 * Scalekit) and after (a sign-out while Scalekit was answering must not be undone by the fresh
 * cookies this request is about to set).
 */
async function redeem(request: NextRequest): Promise<Outcome> {
  const arrivedAt = performance.now();
  const config = serverConfig();
  const failed = (why: string, keepCookies = false): Outcome => ({
    ok: false,
    error: new AuthError('refresh_failed', why),
    keepCookies,
  });
  let current: OpenedAccessToken | null;
  try {
    current = await openAccessSession(request.cookies);
  } catch (err) {
    if (isAuthError(err, 'jwks_unavailable')) {
      return { ok: false, error: new AuthError('refresh_unavailable', err.message) };
    }
    if (isAuthError(err, 'config_invalid')) throw err;
    current = null;
  }
  if (!current) return failed('no session to renew');
  const found = await readRefreshToken(request, current.claims.sid, config);
  if (found.refreshToken === null) {
    if (!found.foreign) return failed('no refresh token');
    return failed('the refresh cookie belongs to another session', true);
  }
  const revokedBefore = await revocationOutcome(current.claims, arrivedAt);
  if (revokedBefore) return revokedBefore;
  try {
    const session = await refreshSession(found.refreshToken);
    if (session.claims.sub !== current.claims.sub) {
      return failed('Scalekit renewed the session as another person');
    }
    return (await revocationOutcome(current.claims, session.redeemedAt)) ?? { ok: true, session };
  } catch (err) {
    if (isAuthError(err, 'config_invalid')) throw err;
    const error = isAuthError(err) ? err : new AuthError('refresh_unavailable', 'refresh failed');
    return { ok: false, error };
  }
}

/**
 * Null when the session is not on the revocation list, read no earlier than `since`. In every
 * mode, whatever `SESSION_REVOCATION_ON_STORE_ERROR` says: a list that cannot be read renews
 * nothing (`refresh_unavailable`, the cookies are kept), so copied cookies of a signed-out session
 * do not renew during an outage.
 */
async function revocationOutcome(
  claims: Pick<AccessTokenClaims, 'sid' | 'sub' | 'iat' | 'oid'>,
  since: number,
): Promise<Outcome | null> {
  try {
    if (!(await readRevocationSince(getStore(), claims, since))) return null;
    return { ok: false, error: new AuthError('refresh_failed', 'the session was revoked') };
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    const unread = 'the revocation list could not be read';
    return { ok: false, error: new AuthError('refresh_unavailable', unread) };
  }
}

/**
 * Sets the rotated cookies, or clears them all when the session is over; transient faults keep
 * them, and a request that presented none of our cookies gets no deletions.
 */
async function withSession(request: NextRequest, response: NextResponse, outcome: Outcome) {
  const config = serverConfig();
  if (outcome.ok) {
    const { accessToken, refreshToken, claims } = outcome.session;
    await setSessionCookies(
      response.cookies,
      { accessToken, refreshToken, sid: claims.sid },
      config,
      request.cookies,
    );
  } else if (
    outcome.error.code === 'refresh_failed' &&
    !outcome.keepCookies &&
    presentsSessionCookies(request.cookies, config)
  ) {
    clearSessionCookies(response.cookies, config, request.cookies);
  }
  return noStore(response);
}

/**
 * The middleware sends a document here when its access token has expired (or is about to):
 * rotate, then 303 back. No refresh token, or one Scalekit rejects, goes to sign-in; a transient
 * fault shows a retry page and keeps the session — or, when the current access token is still
 * valid (the early-refresh case), goes back with a note that defers the early refresh until the
 * token expires, so the middleware serves the page instead of sending it here again (a loop).
 */
export const GET = authRoute({ rateLimit: 'refresh' }, async (request: NextRequest) => {
  const returnTo = sanitizeReturnTo(request.nextUrl.searchParams.get('returnTo'));
  const appUrl = serverConfig().appUrl;
  const outcome = await rotate(request);
  const back = () => NextResponse.redirect(new URL(returnTo, appUrl), 303);
  if (outcome.ok) return withSession(request, back(), outcome);
  const valid = outcome.error.code === 'refresh_failed' ? null : await stillValid(request);
  if (valid) {
    const response = back();
    deferEarlyRefresh(response.cookies, valid, serverConfig());
    return withSession(request, response, outcome);
  }
  if (outcome.error.code === 'refresh_failed') {
    const login = new URL('/login', appUrl);
    login.searchParams.set('returnTo', returnTo);
    return withSession(request, NextResponse.redirect(login, 303), outcome);
  }
  const self = `${request.nextUrl.pathname}${request.nextUrl.search}`;
  return withSession(request, errorPage('refresh_unavailable', { retry: self }), outcome);
});

/**
 * Three callers, all same-origin (a browser sends `Origin` with each, a replayed one included): the
 * client session keeper (JSON: `{ ok, expiresAt, session }` with the session's
 * snapshot for `useSession()`, 401 when the session is over,
 * 503 to retry later); a Server Action the middleware replayed here with a 307 because its
 * token had expired; and, the same way, a plain form post (an action's form before hydration).
 * Both forms go back to the page with another 307, so the browser re-sends them once, now with
 * fresh cookies.
 */
export const POST = authRoute({ rateLimit: 'refresh' }, async (request: NextRequest) => {
  // (`requestKind` calls every /api/ request `api`: here the fetch mode tells a page load.)
  const pageLoad = request.headers.get('sec-fetch-mode') === 'navigate';
  // A POST is the one request another site can make the browser send here without our cookies
  // (`SameSite=Lax`): refused before it can answer "no session" and delete them.
  if (!isSameOrigin(request)) {
    const { code, message } = new AuthError('cross_site_request', 'refresh from another origin');
    logAuthFailure({ code, route: '/api/refresh', kind: requestKind(request), detail: message });
    return pageLoad ? errorPage(code) : errorJson(code);
  }
  const outcome = await rotate(request);
  // A form the middleware replayed here: a Server Action (`Next-Action`), or a plain form post
  // that is a page load (an action's form before hydration). Both go back with a 307, so the
  // browser sends the form once more, now with fresh cookies.
  const action = request.headers.has('next-action');
  if (action || pageLoad) {
    const returnTo = sanitizeReturnTo(request.nextUrl.searchParams.get('returnTo'));
    const appUrl = serverConfig().appUrl;
    if (outcome.ok) {
      return withSession(request, NextResponse.redirect(new URL(returnTo, appUrl), 307), outcome);
    }
    const login = `/login?returnTo=${encodeURIComponent(returnTo)}`;
    if (action) return withSession(request, actionRedirect(login), outcome);
    const ended = outcome.error.code === 'refresh_failed';
    const answer = ended
      ? NextResponse.redirect(new URL(login, appUrl), 303)
      : errorPage('refresh_unavailable', { retry: returnTo });
    return withSession(request, answer, outcome);
  }
  if (outcome.ok) {
    const session = sessionSnapshot(await sessionOf(outcome.session.claims, request.cookies));
    const body = { ok: true, expiresAt: session.expiresAt, session };
    return withSession(request, NextResponse.json(body), outcome);
  }
  return withSession(request, errorJson(outcome.error.code), outcome);
});

/** The claims of the request's access token while it is still valid, else null. */
async function stillValid(request: NextRequest): Promise<AccessTokenClaims | null> {
  return readAccessSession(request.cookies).catch(() => null);
}
