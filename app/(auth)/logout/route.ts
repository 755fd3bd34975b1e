import { NextResponse, type NextRequest } from 'next/server';
import { AuthError } from '@/lib/edge/errors';
import { noStore } from '@/lib/edge/responses';
import { openAccessSession } from '@/lib/edge/session';
import { logAuthFailure } from '@/lib/edge/log';
import { requestKind } from '@/lib/edge/request-kind';
import { authHooks } from '@/lib/server/auth-hooks';
import { serverConfig } from '@/lib/server/env';
import { revocationHorizon, revokeSession } from '@/lib/server/revocation';
import { isSameOrigin } from '@/lib/server/same-origin';
import { authRoute, failRoute } from '@/lib/server/route-handler';
import { scalekitLogoutUrl } from '@/lib/server/scalekit-logout';
import { clearSessionCookies, readSignInRecord } from '@/lib/server/session-records';
import { getStore } from '@/lib/server/store/get-store';

/**
 * A GET never signs out: link previews, prefetches and other sites can all send one. It shows the
 * confirmation page, whose button POSTs here.
 */
export const GET = authRoute(() =>
  noStore(NextResponse.redirect(new URL('/auth/sign-out', serverConfig().appUrl), 303)),
);

/**
 * Signs out: same-origin POSTs only. Builds Scalekit's logout URL (with the ID token as a hint)
 * before clearing the cookies, revokes the session id for every instance, then sends the browser
 * to Scalekit, which ends its own session and comes back to the signed-out page.
 */
export const POST = authRoute(async (request: NextRequest) => {
  if (!isSameOrigin(request)) {
    return failRoute(request, new AuthError('cross_site_request', 'logout from another origin'));
  }
  const config = serverConfig();
  const signIn = await readSignInRecord(request.cookies, config);
  const logoutUrl = scalekitLogoutUrl(signIn?.idToken);

  // The session id goes on the revocation list for as long as any of its cookies could live,
  // expired access token or not: a copied refresh cookie must not renew it later either. Best
  // effort: the cookies go regardless.
  const current = await openAccessSession(request.cookies).catch(() => null);
  try {
    await authHooks.beforeSignOut?.({ claims: current?.claims ?? null });
  } catch {
    logAuthFailure({
      code: 'auth_hook_failed',
      route: '/logout',
      kind: requestKind(request),
      detail: 'beforeSignOut threw; signing out anyway',
    });
  }
  if (current) {
    const until = revocationHorizon(config);
    await revokeSession(getStore(), current.claims.sid, until).catch(() => {
      // Copied cookies of this session stay usable (refresh refuses to renew while the list
      // cannot be read, but once it can, they would): worth a line an operator can alert on.
      logAuthFailure({
        code: 'store_unavailable',
        route: '/logout',
        kind: requestKind(request),
        detail: 'the revocation could not be written; signing out anyway',
      });
    });
  }

  const response = noStore(NextResponse.redirect(logoutUrl, 303));
  clearSessionCookies(response.cookies, config, request.cookies);
  return response;
});
