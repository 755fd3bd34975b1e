import { NextResponse, type NextRequest } from 'next/server';
import { AuthError, isAuthError } from '@/lib/edge/errors';
import { sanitizeReturnTo } from '@/lib/edge/return-to';
import { readAccessSession } from '@/lib/edge/session';
import { readSessionCookie } from '@/lib/edge/session-cookies';
import { noStore } from '@/lib/server/auth-redirects';
import { serverConfig } from '@/lib/server/env';
import { refreshSession, type RefreshedSession } from '@/lib/server/refresh';
import { clearSessionCookies, setSessionCookies } from '@/lib/edge/session-cookies';

type Outcome = { ok: true; session: RefreshedSession } | { ok: false; error: AuthError };

async function rotate(request: NextRequest): Promise<Outcome> {
  const refreshToken = await readSessionCookie(request.cookies, 'refresh', serverConfig());
  if (refreshToken === null) {
    return { ok: false, error: new AuthError('refresh_failed', 'no refresh token') };
  }
  try {
    return { ok: true, session: await refreshSession(refreshToken) };
  } catch (err) {
    return {
      ok: false,
      error: isAuthError(err) ? err : new AuthError('refresh_unavailable', 'refresh failed'),
    };
  }
}

async function withSession(request: NextRequest, response: NextResponse, outcome: Outcome) {
  const config = serverConfig();
  if (outcome.ok) {
    await setSessionCookies(response.cookies, outcome.session, config, request.cookies);
  } else if (outcome.error.code === 'refresh_failed') {
    clearSessionCookies(response.cookies, config, request.cookies);
  }
  // Transient failures leave every cookie as it is.
  return noStore(response);
}

/**
 * The middleware sends a document here when its access token has expired (or is about to):
 * rotate, then 303 back. No refresh token, or one Scalekit rejects, goes to sign-in; a transient
 * fault shows a retry page and keeps the session — or, when the current access token is still
 * valid (the early-refresh case), simply goes back.
 */
export async function GET(request: NextRequest) {
  const returnTo = sanitizeReturnTo(request.nextUrl.searchParams.get('returnTo'));
  const appUrl = serverConfig().appUrl;
  const outcome = await rotate(request);
  if (outcome.ok || (outcome.error.code !== 'refresh_failed' && (await stillValid(request)))) {
    return withSession(request, NextResponse.redirect(new URL(returnTo, appUrl), 303), outcome);
  }
  if (outcome.error.code === 'refresh_failed') {
    const login = new URL('/login', appUrl);
    login.searchParams.set('returnTo', returnTo);
    return withSession(request, NextResponse.redirect(login, 303), outcome);
  }
  return withSession(
    request,
    retryPage(request.nextUrl.pathname + request.nextUrl.search),
    outcome,
  );
}

/**
 * Two callers: the client session keeper (JSON: `{ ok, expiresAt }`, 401 when the session is over,
 * 503 to retry later), and a Server Action the middleware replayed here with a 307 because its
 * token had expired: it goes back to the page with another 307, so the browser re-sends the
 * action once, now with fresh cookies.
 */
export async function POST(request: NextRequest) {
  const outcome = await rotate(request);
  if (request.headers.has('next-action')) {
    const returnTo = sanitizeReturnTo(request.nextUrl.searchParams.get('returnTo'));
    if (outcome.ok) {
      return withSession(
        request,
        NextResponse.redirect(new URL(returnTo, serverConfig().appUrl), 307),
        outcome,
      );
    }
    // Never a 303 here: Next would turn the action into a GET and show an error.
    const response = new NextResponse(null, { status: 200 });
    response.headers.set(
      'x-action-redirect',
      `/login?returnTo=${encodeURIComponent(returnTo)};replace`,
    );
    return withSession(request, response, outcome);
  }
  if (outcome.ok) {
    const body = { ok: true, expiresAt: outcome.session.claims.exp * 1000 };
    return withSession(request, NextResponse.json(body), outcome);
  }
  const status = outcome.error.code === 'refresh_failed' ? 401 : 503;
  return withSession(
    request,
    NextResponse.json({ error: outcome.error.code }, { status }),
    outcome,
  );
}

async function stillValid(request: NextRequest): Promise<boolean> {
  return (await readAccessSession(request.cookies).catch(() => null)) !== null;
}

function retryPage(self: string): NextResponse {
  const href = self.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const body =
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>Reconnecting…</title>' +
    `<meta http-equiv="refresh" content="5;url=${href}">` +
    '<main style="font-family:system-ui;max-width:32rem;margin:4rem auto">' +
    '<h1>We could not renew your session just now</h1>' +
    '<p>You are still signed in. This page retries in a few seconds.</p>' +
    `<p><a href="${href}">Try again now</a></p></main></html>`;
  return new NextResponse(body, {
    status: 503,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Retry-After': '5' },
  });
}
