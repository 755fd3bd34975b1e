import { NextResponse, type NextRequest } from 'next/server';
import { isAuthErrorCode } from '@/lib/edge/errors';
import { noStore } from '@/lib/edge/responses';
import { sanitizeReturnTo } from '@/lib/edge/return-to';
import { openAccessSession } from '@/lib/edge/session';
import { readAuthorizeOptions } from '@/lib/server/authorize-options';
import { callbackUrl, serverConfig } from '@/lib/server/env';
import { createTransaction, pkceChallenge } from '@/lib/server/login-transaction';
import { authRoute, failSignIn } from '@/lib/server/route-handler';
import { scalekit } from '@/lib/server/scalekit';
import { sessionOf } from '@/lib/server/session';

/**
 * Starts a sign-in at Scalekit's hosted login page. `/login?error=<code>` shows the error page
 * instead, so a failed sign-in never loops silently back into Scalekit.
 */
export const GET = authRoute({ rateLimit: 'login' }, async (request: NextRequest) => {
  const { searchParams } = request.nextUrl;
  const error = searchParams.get('error');
  if (error !== null) return failSignIn(request, isAuthErrorCode(error) ? error : 'provider_error');
  const options = readAuthorizeOptions(searchParams);
  if (!options) return failSignIn(request, 'invalid_request', 'malformed authorize parameter');

  const config = serverConfig();
  const returnTo = sanitizeReturnTo(searchParams.get('returnTo'));
  const response = noStore(NextResponse.redirect(config.appUrl, 307));
  const forced = options.prompt === 'login';
  const transaction = await createTransaction(
    returnTo,
    response.cookies,
    request.cookies,
    config,
    forced ? undefined : await previousSignIn(request),
  );
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
});

/** Who is signed in here already, and since when: from the verified session and its record. */
async function previousSignIn(request: NextRequest) {
  const current = await openAccessSession(request.cookies).catch(() => null);
  if (!current) return undefined;
  const { signedInAt } = await sessionOf(current.claims, request.cookies);
  return signedInAt === undefined ? undefined : { sub: current.claims.sub, signedInAt };
}
