import { NextResponse, type NextRequest } from 'next/server';
import { sanitizeReturnTo } from '@/lib/edge/return-to';
import { noStore, SIGN_IN_ERROR_CODES, signInError } from '@/lib/server/auth-redirects';
import { callbackUrl, serverConfig } from '@/lib/server/env';
import { createTransaction, pkceChallenge } from '@/lib/server/login-transaction';
import { readAuthorizeOptions } from '@/lib/server/authorize-options';
import { scalekit } from '@/lib/server/scalekit';

/**
 * Starts a sign-in at Scalekit's hosted login page. `/login?error=<code>` shows the error page
 * instead, so a failed sign-in never loops silently back into Scalekit.
 */
export async function GET(request: NextRequest) {
  const { searchParams } = request.nextUrl;
  const origin = serverConfig().appUrl;
  const error = searchParams.get('error');
  if (error !== null) {
    const known = SIGN_IN_ERROR_CODES.find((code) => code === error);
    return signInError(origin, known ?? 'provider_error');
  }
  const options = readAuthorizeOptions(searchParams);
  if (!options) return signInError(origin, 'invalid_request');

  const config = serverConfig();
  const returnTo = sanitizeReturnTo(searchParams.get('returnTo'));
  const response = noStore(NextResponse.redirect(origin, 307));
  const transaction = await createTransaction(returnTo, response.cookies, request.cookies, config);
  const url = scalekit().getAuthorizationUrl(callbackUrl(), {
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    state: transaction.state,
    nonce: transaction.nonce,
    codeChallenge: await pkceChallenge(transaction.codeVerifier),
    codeChallengeMethod: 'S256',
    ...options,
  });
  response.headers.set('Location', url);
  return response;
}
