import { NextResponse, type NextRequest } from 'next/server';
import type { AccessTokenClaims } from './access-token';
import { protectBearer } from './bearer';
import { edgeConfig } from './config';
import { AuthError, isAuthError, type AuthErrorCode } from './errors';
import { logAuthFailure } from './log';
import { isEarlyRefreshDeferred } from './refresh-deferral';
import { isPrefetch, requestKind, type RequestKind } from './request-kind';
import { actionRedirect, errorJson, errorPage, noStore } from './responses';
import { sanitizeReturnTo } from './return-to';
import { strictRefusal } from './revocation';
import { readAccessSession } from './session';

/** Documents refresh this close to expiry, so the page does not render with a dying token. */
const MAX_REFRESH_BUFFER_SECONDS = 10;

/**
 * The middleware's whole job, for every request its matcher sends: verify the sealed access token
 * and either pass the request on, or answer in the way each kind of request can act on (see
 * README, "Expired tokens"). The matcher is the one list of what needs a session; the pages and
 * routes behind it verify the session again (`getSession()`), so nothing is forwarded to them.
 *
 * @example
 * // middleware.ts (Edge) or proxy.ts (Node)
 * export default protect;
 * export const config = { matcher: ['/dashboard/:path*', '/api/protected/:path*'] };
 */
export async function protect(request: NextRequest): Promise<NextResponse> {
  const kind = requestKind(request);
  // A machine caller (`Authorization: Bearer`) is judged by its token alone.
  const bearer = await protectBearer(request, kind);
  if (bearer) return bearer;
  const outcome = await check(request);
  if (outcome.ok) {
    // The refresh route defers the early refresh after a transient fault (lib/edge/refresh-deferral):
    // the still-valid token is served instead of another hop to refresh.
    const refreshDue =
      kind === 'document' &&
      isRefreshDue(outcome.claims) &&
      !isEarlyRefreshDeferred(request.cookies, outcome.claims, edgeConfig());
    if (!refreshDue || isPrefetch(request.headers)) return noStore(NextResponse.next());
    return respond(
      request,
      kind,
      new AuthError('token_expired', 'access token is about to expire'),
    );
  }
  logAuthFailure({
    code: outcome.error.code,
    route: request.nextUrl.pathname,
    kind,
    detail: outcome.error.message,
  });
  return respond(request, kind, outcome.error);
}

/** What the log says of a strict-revocation refusal: an outage is not a sign-out. */
const REFUSALS = {
  revoked: 'the session was revoked',
  unreadable: 'the revocation list could not be read (SESSION_REVOCATION_ON_STORE_ERROR=deny)',
} as const;

type Outcome = { ok: true; claims: AccessTokenClaims } | { ok: false; error: AuthError };

async function check(request: NextRequest): Promise<Outcome> {
  try {
    const config = edgeConfig();
    const claims = await readAccessSession(request.cookies);
    if (claims === null) {
      return { ok: false, error: new AuthError('unauthenticated', 'no session cookie opens') };
    }
    const refusal = await strictRefusal(claims, config);
    if (refusal) return { ok: false, error: new AuthError('unauthenticated', REFUSALS[refusal]) };
    return { ok: true, claims };
  } catch (err) {
    if (isAuthError(err, 'token_expired', 'jwks_unavailable', 'config_invalid')) {
      return { ok: false, error: err };
    }
    if (isAuthError(err))
      return { ok: false, error: new AuthError('unauthenticated', err.message) };
    // Anything unforeseen: fail closed, without a 500.
    return { ok: false, error: new AuthError('jwks_unavailable', 'unexpected verification error') };
  }
}

function isRefreshDue(claims: AccessTokenClaims): boolean {
  const buffer = Math.min(MAX_REFRESH_BUFFER_SECONDS, (claims.exp - claims.iat) / 4);
  return claims.exp - buffer <= Date.now() / 1000;
}

/** The codes `check` hands on; every other failure reads as no session. */
type Failure = Extract<
  AuthErrorCode,
  'token_expired' | 'unauthenticated' | 'jwks_unavailable' | 'config_invalid'
>;

function respond(request: NextRequest, kind: RequestKind, error: AuthError): NextResponse {
  const code = error.code as Failure;
  const returnTo = sanitizeReturnTo(`${request.nextUrl.pathname}${request.nextUrl.search}`);
  const document = kind === 'document' && !isPrefetch(request.headers);

  if (code === 'jwks_unavailable')
    return document ? errorPage(code, { retry: returnTo }) : errorJson(code);
  // The message names the variable to fix, never its value.
  if (code === 'config_invalid')
    return document ? errorPage(code, { detail: error.message }) : errorJson(code);
  // A prefetch only ever gets a status: a redirect would run the refresh (and set cookies) for
  // a page the person may never open.
  if (isPrefetch(request.headers)) return errorJson(code);

  const target = code === 'token_expired' ? '/api/refresh' : '/login';
  // APP_URL, not the request's origin: Next reports loopback hosts as `localhost`, and the
  // session's cookies live on the host that APP_URL names.
  const url = new URL(target, edgeConfig().appUrl);
  url.searchParams.set('returnTo', returnTo);
  switch (kind) {
    case 'document':
      // To refresh, a 307: a no-JavaScript form post must reach the refresh route as a POST, which
      // sends it back to its page. To sign-in, a 303: `/login` answers GET only, and a 307 would
      // repeat a form's POST there (a 405).
      return noStore(NextResponse.redirect(url, code === 'token_expired' ? 307 : 303));
    case 'action':
      // A 307 replays the action's POST to the refresh route, which 307s it back with the new
      // cookies: the action runs once, with a fresh token. Without a session there is nothing to
      // replay, and Next hard-navigates on `x-action-redirect`.
      if (code === 'token_expired') return noStore(NextResponse.redirect(url, 307));
      return actionRedirect(`${url.pathname}${url.search}`);
    case 'rsc':
    case 'api':
      // Next turns a non-RSC answer to a `<Link>` navigation into a full page load, which then
      // takes the document path above; `fetch` callers refresh and retry (fetchWithSession).
      return errorJson(code);
  }
}
