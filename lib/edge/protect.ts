import { NextResponse, type NextRequest } from 'next/server';
import type { AccessTokenClaims } from './access-token';
import { edgeConfig } from './config';
import { isAuthError, type AuthErrorCode } from './errors';
import { isPrefetch, requestKind, type RequestKind } from './request-kind';
import { sanitizeReturnTo } from './return-to';

import { readAccessSession } from './session';
import { isRevoked, revocationReader } from './revocation';

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
  let outcome: Outcome;
  try {
    outcome = await check(request);
  } catch {
    // Unreadable configuration or anything unforeseen: fail closed, without a 500.
    outcome = { state: 'unavailable' };
  }

  if (outcome.state === 'valid') {
    const refreshDue = kind === 'document' && isRefreshDue(outcome.claims);
    if (!refreshDue || isPrefetch(request.headers)) {
      return noStore(NextResponse.next());
    }
    return respond(request, kind, 'token_expired');
  }
  if (outcome.state === 'expired') return respond(request, kind, 'token_expired');
  if (outcome.state === 'unavailable') return respond(request, kind, 'jwks_unavailable');
  return respond(request, kind, 'unauthenticated');
}

type Outcome =
  { state: 'valid'; claims: AccessTokenClaims } | { state: 'expired' | 'missing' | 'unavailable' };

async function check(request: NextRequest): Promise<Outcome> {
  const config = edgeConfig();
  try {
    const claims = await readAccessSession(request.cookies);
    if (claims === null) return { state: 'missing' };
    if (
      config.revocation === 'strict' &&
      (await isRevoked(revocationReader(config), claims, config))
    ) {
      return { state: 'missing' };
    }
    return { state: 'valid', claims };
  } catch (err) {
    if (isAuthError(err, 'token_expired')) return { state: 'expired' };
    if (isAuthError(err, 'jwks_unavailable')) return { state: 'unavailable' };
    return { state: 'missing' };
  }
}

function isRefreshDue(claims: AccessTokenClaims): boolean {
  const buffer = Math.min(MAX_REFRESH_BUFFER_SECONDS, (claims.exp - claims.iat) / 4);
  return claims.exp - buffer <= Date.now() / 1000;
}

type Failure = Extract<AuthErrorCode, 'token_expired' | 'unauthenticated' | 'jwks_unavailable'>;

function respond(request: NextRequest, kind: RequestKind, failure: Failure): NextResponse {
  const returnTo = sanitizeReturnTo(`${request.nextUrl.pathname}${request.nextUrl.search}`);
  const prefetch = isPrefetch(request.headers);

  if (failure === 'jwks_unavailable') {
    return kind === 'document' && !prefetch ? unavailablePage() : json(503, failure);
  }
  // A prefetch only ever gets a status: a redirect would run the refresh (and set cookies) for
  // a page the person may never open.
  if (prefetch) return json(401, failure);

  const target = failure === 'token_expired' ? '/api/refresh' : '/login';
  // APP_URL, not the request's origin: Next reports loopback hosts as `localhost`, and the
  // session's cookies live on the host that APP_URL names.
  const url = new URL(target, edgeConfig().appUrl);
  url.searchParams.set('returnTo', returnTo);
  switch (kind) {
    case 'document':
      return noStore(NextResponse.redirect(url, 307));
    case 'action':
      // A 307 replays the action's POST to the refresh route, which 307s it back with the new
      // cookies: the action runs once, with a fresh token. Without a session there is nothing to
      // replay, and Next hard-navigates on `x-action-redirect`.
      if (failure === 'token_expired') return noStore(NextResponse.redirect(url, 307));
      return actionRedirect(`${url.pathname}${url.search}`);
    case 'rsc':
    case 'api':
      // Next turns a non-RSC answer to a `<Link>` navigation into a full page load, which then
      // takes the document path above; `fetch` callers refresh and retry (fetchWithSession).
      return json(401, failure);
  }
}

function noStore(response: NextResponse): NextResponse {
  response.headers.set('Cache-Control', 'private, no-store');
  response.headers.append('Vary', 'Cookie');
  return response;
}

function json(status: 401 | 503, error: Failure): NextResponse {
  const response = NextResponse.json({ error }, { status });
  if (status === 401) {
    response.headers.set(
      'WWW-Authenticate',
      error === 'token_expired' ? 'Bearer error="invalid_token"' : 'Bearer',
    );
  } else {
    response.headers.set('Retry-After', '5');
  }
  return noStore(response);
}

function actionRedirect(location: string): NextResponse {
  const response = new NextResponse(null, { status: 200 });
  response.headers.set('x-action-redirect', `${location};replace`);
  return noStore(response);
}

function unavailablePage(): NextResponse {
  const body =
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>Sign-in unavailable</title>' +
    '<main style="font-family:system-ui;max-width:32rem;margin:4rem auto">' +
    '<h1>Sign-in is temporarily unavailable</h1>' +
    '<p>We could not check your session just now. Please try again in a few seconds.</p>' +
    '<p><a href="">Try again</a></p></main></html>';
  const response = new NextResponse(body, {
    status: 503,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Retry-After': '5' },
  });
  return noStore(response);
}
