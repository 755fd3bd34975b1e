import { NextResponse, type NextRequest } from 'next/server';
import { verifyAccessToken } from '@/lib/edge/access-token';
import { isAuthError } from '@/lib/edge/errors';
import { verifyIdToken } from '@/lib/server/id-token';
import { sanitizeReturnTo } from '@/lib/edge/return-to';
import { noStore, signInError, type SignInErrorCode } from '@/lib/server/auth-redirects';
import { readAuthorizeOptions } from '@/lib/server/authorize-options';
import { callbackUrl, serverConfig } from '@/lib/server/env';
import { hasPendingTransactions, takeTransaction } from '@/lib/server/login-transaction';
import { observeTokenEndpoint, scalekit } from '@/lib/server/scalekit';
import { setSessionCookies } from '@/lib/edge/session-cookies';

/**
 * Finishes a sign-in: checks the state against this browser's transaction, exchanges the code
 * (PKCE), verifies the ID token (the SDK only decodes it) and the access token, then seals the
 * session into cookies. Every failure is a coded redirect; provider text is never shown.
 */
export async function GET(request: NextRequest) {
  const { searchParams } = request.nextUrl;
  const origin = serverConfig().appUrl;
  const idpInitiated = searchParams.get('idp_initiated_login');
  if (idpInitiated !== null) return startIdpInitiatedLogin(idpInitiated, origin);

  const config = serverConfig();
  const state = searchParams.get('state');
  // The transaction cookie goes on every outcome; the failure path copies it onto its redirect.
  const cleanup = new NextResponse(null);
  const fail = (code: SignInErrorCode) => {
    const response = signInError(origin, code);
    for (const cookie of cleanup.cookies.getAll()) response.cookies.set(cookie);
    return response;
  };

  const transaction =
    state === null ? null : await takeTransaction(state, request.cookies, cleanup.cookies, config);
  const providerError = searchParams.get('error');
  if (providerError !== null) {
    return fail(providerError === 'access_denied' ? 'access_denied' : 'provider_error');
  }
  if (!transaction) {
    return fail(
      hasPendingTransactions(request.cookies, config) ? 'state_mismatch' : 'transaction_missing',
    );
  }
  const code = searchParams.get('code');
  if (!code) return fail('invalid_request');

  const exchange = await observeTokenEndpoint(() =>
    scalekit().authenticateWithCode(code, callbackUrl(), {
      codeVerifier: transaction.codeVerifier,
    }),
  );
  if (!exchange.ok) return fail('exchange_failed');
  const { idToken, accessToken, refreshToken } = exchange.value;
  if (typeof idToken !== 'string' || typeof accessToken !== 'string')
    return fail('exchange_failed');

  try {
    await verifyIdToken(idToken, { nonce: transaction.nonce });
  } catch (err) {
    return fail(isAuthError(err, 'jwks_unavailable') ? 'jwks_unavailable' : 'id_token_invalid');
  }
  try {
    await verifyAccessToken(accessToken);
  } catch (err) {
    return fail(isAuthError(err, 'jwks_unavailable') ? 'jwks_unavailable' : 'token_invalid');
  }

  const response = noStore(
    NextResponse.redirect(new URL(sanitizeReturnTo(transaction.returnTo), origin), 303),
  );
  for (const cookie of cleanup.cookies.getAll()) response.cookies.set(cookie);
  await setSessionCookies(
    response.cookies,
    {
      accessToken,
      idToken,
      refreshToken: typeof refreshToken === 'string' ? refreshToken : undefined,
    },
    config,
    request.cookies,
  );
  return response;
}

/**
 * Scalekit starts an IdP-initiated login by calling this URL with a signed token. The SDK verifies
 * it; the app then begins an ordinary SP-initiated login (with PKCE, state and nonce) for the same
 * connection and organization, so no session ever comes from an unsolicited response.
 */
async function startIdpInitiatedLogin(token: string, origin: string) {
  let claims: Awaited<ReturnType<ReturnType<typeof scalekit>['getIdpInitiatedLoginClaims']>>;
  try {
    claims = await scalekit().getIdpInitiatedLoginClaims(token);
  } catch {
    return signInError(origin, 'invalid_request');
  }
  const params = new URLSearchParams();
  const copy = (name: string, value: unknown) => {
    if (typeof value === 'string' && value) params.set(name, value);
  };
  copy('connection_id', claims.connection_id);
  copy('organization_id', claims.organization_id);
  copy('login_hint', claims.login_hint);
  if (!readAuthorizeOptions(params)) return signInError(origin, 'invalid_request');
  const relay = typeof claims.relay_state === 'string' ? claims.relay_state : null;
  params.set('returnTo', sanitizeReturnTo(relay));
  return noStore(NextResponse.redirect(new URL(`/login?${params}`, origin), 303));
}
