import { decodeJwt } from 'jose';
import { NextResponse, type NextRequest } from 'next/server';
import { verifyAccessToken, type AccessTokenClaims } from '@/lib/edge/access-token';
import { isAuthError, type AuthErrorCode } from '@/lib/edge/errors';
import { logAuthFailure } from '@/lib/edge/log';
import { requestKind } from '@/lib/edge/request-kind';
import { noStore } from '@/lib/edge/responses';
import { sanitizeReturnTo } from '@/lib/edge/return-to';
import { readRevocation } from '@/lib/edge/revocation';
import { StoreError } from '@/lib/edge/store-error';
import { callbackUrl, serverConfig } from '@/lib/server/env';
import { authHooks } from '@/lib/server/auth-hooks';
import { verifyIdToken, type IdTokenClaims } from '@/lib/server/id-token';
import { hasPendingTransactions, takeTransaction } from '@/lib/server/login-transaction';
import { authRoute, failSignIn } from '@/lib/server/route-handler';
import { scalekitLogoutUrl } from '@/lib/server/scalekit-logout';
import {
  clearSessionCookies,
  presentsSessionCookies,
  setSessionCookies,
} from '@/lib/server/session-records';
import { observeTokenEndpoint, scalekit } from '@/lib/server/scalekit';
import { getStore } from '@/lib/server/store/get-store';
import { signInTime, skippedForcedSignIn } from '@/lib/server/sign-in-time';

/**
 * Finishes a sign-in: checks the state against this browser's transaction, exchanges the code
 * (PKCE), verifies the ID token (the SDK only decodes it) and the access token, then seals the
 * session into cookies. Every failure is a coded redirect; provider text is never shown.
 */
export const GET = authRoute({ rateLimit: 'callback' }, async (request: NextRequest) => {
  const { searchParams } = request.nextUrl;
  const config = serverConfig();
  // Not the end of a sign-in but the start of one (an initiate-login arrival, e.g. from an
  // environment whose Initiate login URL still names this route): /login handles those.
  if (!searchParams.has('state') && !searchParams.has('code') && !searchParams.has('error')) {
    return noStore(
      NextResponse.redirect(new URL(`/login${request.nextUrl.search}`, config.appUrl), 303),
    );
  }

  const state = searchParams.get('state');
  // The transaction cookie goes on every outcome; the failure path copies it onto its redirect.
  const cleanup = new NextResponse(null);
  const fail = (code: AuthErrorCode, detail?: string) => {
    const response = failSignIn(request, code, detail);
    for (const cookie of cleanup.cookies.getAll()) response.cookies.set(cookie);
    return response;
  };

  const transaction =
    state === null ? null : await takeTransaction(state, request.cookies, cleanup.cookies, config);
  const providerError = searchParams.get('error');
  if (providerError !== null) {
    return providerError === 'access_denied' ? fail('access_denied') : fail('provider_error');
  }
  if (!transaction) {
    return fail(
      hasPendingTransactions(request.cookies, config) ? 'state_mismatch' : 'transaction_missing',
    );
  }
  const code = searchParams.get('code');
  if (!code) return fail('invalid_request', 'callback without a code');

  const exchange = await observeTokenEndpoint(() =>
    scalekit().authenticateWithCode(code, callbackUrl(), {
      codeVerifier: transaction.codeVerifier,
    }),
  );
  if (!exchange.ok) return fail('exchange_failed', `token endpoint: ${exchange.failure.kind}`);
  const { idToken, accessToken, refreshToken } = exchange.value;
  if (typeof idToken !== 'string' || typeof accessToken !== 'string') {
    return fail('exchange_failed', 'the exchange returned no ID or access token');
  }

  let claims: AccessTokenClaims;
  let user: IdTokenClaims;
  try {
    user = await verifyIdToken(idToken, { nonce: transaction.nonce });
    claims = await verifyAccessToken(accessToken);
  } catch (err) {
    if (!isAuthError(err)) throw err;
    // Just issued, yet already expired: this server's clock is ahead of Scalekit's.
    if (err.code === 'token_expired') return fail('clock_skew', 'the new access token had expired');
    return fail(err.code, err.message);
  }
  if (user.sub !== claims.sub) {
    return fail('token_invalid', 'the ID and access tokens name different people');
  }
  const { sid } = claims;
  // A sign-in into a session this app has already signed out: a sign-out that never reached
  // Scalekit (a tab closed or reloaded mid-redirect) leaves Scalekit's session alive, which
  // completes the next sign-in silently with the same `sid`. Cookies for it would be refused at
  // the first renewal, and the browser would sign in again into the same dead session, forever.
  // Read like `/api/refresh` reads it: a list that cannot be read starts no session.
  let revoked: boolean;
  try {
    revoked = await readRevocation(getStore(), claims);
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    return fail('store_unavailable', 'the revocation list could not be read; no session was set');
  }
  if (revoked) return endRevokedSignIn(request, idToken, cleanup);
  // Both tokens were verified above; `auth_time` is read from whichever carries it.
  const signedInAt = signInTime(transaction, claims.sub, [decodeJwt(idToken), claims.payload]);
  if (skippedForcedSignIn(transaction, signedInAt)) {
    return fail(
      'step_up_required',
      'prompt=login was not honoured: auth_time predates the sign-in',
    );
  }
  try {
    await authHooks.afterSignIn?.({ claims, user, signedInAt });
  } catch (err) {
    // No cookie has been set: the browser stays as it was before this sign-in.
    if (isAuthError(err, 'access_denied')) return fail('access_denied', 'refused by afterSignIn');
    return fail('auth_hook_failed', 'afterSignIn threw');
  }

  const response = noStore(
    NextResponse.redirect(new URL(sanitizeReturnTo(transaction.returnTo), config.appUrl), 303),
  );
  for (const cookie of cleanup.cookies.getAll()) response.cookies.set(cookie);
  // Every session cookie is written or deleted: nothing of a previous person's session survives.
  await setSessionCookies(
    response.cookies,
    {
      accessToken,
      sid,
      refreshToken: typeof refreshToken === 'string' && refreshToken ? refreshToken : undefined,
      signIn: { idToken, sid, signedInAt },
    },
    config,
    request.cookies,
  );
  return response;
});

/**
 * Ends a sign-in that landed in a revoked session: no session cookie (any left are deleted), and
 * the browser goes through Scalekit's logout for that session (the ID token just received as the
 * hint), which ends it there and comes back to `/auth/signed-out`; the next sign-in then starts a
 * fresh Scalekit session with a new `sid`.
 */
function endRevokedSignIn(request: NextRequest, idToken: string, cleanup: NextResponse) {
  const config = serverConfig();
  logAuthFailure({
    code: 'session_revoked',
    route: request.nextUrl.pathname,
    kind: requestKind(request),
    detail: 'the sign-in came back with a revoked session id; ending it at Scalekit',
  });
  const response = noStore(NextResponse.redirect(scalekitLogoutUrl(idToken), 303));
  for (const cookie of cleanup.cookies.getAll()) response.cookies.set(cookie);
  if (presentsSessionCookies(request.cookies, config)) {
    clearSessionCookies(response.cookies, config, request.cookies);
  }
  return response;
}
