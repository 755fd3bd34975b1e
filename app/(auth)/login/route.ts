import { NextResponse, type NextRequest } from 'next/server';
import { AuthError, isAuthError, isAuthErrorCode } from '@/lib/edge/errors';
import { noStore } from '@/lib/edge/responses';
import { sanitizeReturnTo } from '@/lib/edge/return-to';
import { openAccessSession } from '@/lib/edge/session';
import { forwardedParams, readAuthorizeOptions } from '@/lib/server/authorize-options';
import { checkCookies, clearCookieProbe, COOKIE_CHECK_PARAM } from '@/lib/server/cookie-check';
import { callbackUrl, serverConfig } from '@/lib/server/env';
import { readIdpInitiatedLogin, type IdpInitiatedLogin } from '@/lib/server/idp-initiated-login';
import { createTransaction, pkceChallenge } from '@/lib/server/login-transaction';
import { readAtMost } from '@/lib/server/read-body';
import { authRoute, failRoute, failSignIn } from '@/lib/server/route-handler';
import { isSameOrigin } from '@/lib/server/same-origin';
import { scalekit } from '@/lib/server/scalekit';
import { sessionOf } from '@/lib/server/session';
import { confirmationPage, needsConfirmation } from '@/lib/server/sign-in-confirmation';

/** Query parameters `/login` reads itself and never forwards. */
const OWN_PARAMS = [
  'returnTo',
  'error',
  'error_description',
  'error_uri',
  'idp_initiated_login',
  COOKIE_CHECK_PARAM,
];

/** Largest confirmation form `/login` reads: its parameters, well past what it forwards. */
const MAX_FORM_BYTES = 8 * 1024;

/**
 * Starts a sign-in at Scalekit's hosted login page. This is also the environment's *Initiate
 * login URL*: Scalekit sends people here to start a sign-in after accepting an invitation, a
 * password reset or an email verification, from a stale hosted page, and for IdP-initiated SSO
 * (`?idp_initiated_login=<JWT>`). Every parameter `/login` does not own is forwarded to the
 * authorize URL unchanged (invitations carry their own). `?error=` shows the coded error page
 * instead, so a failed sign-in never loops silently back into Scalekit. Another site sending a
 * signed-in browser here with routing or prompt parameters gets a confirmation page first
 * (lib/server/sign-in-confirmation.ts), whose form POSTs back here.
 */
export const GET = authRoute({ rateLimit: 'login' }, async (request: NextRequest) => {
  const { searchParams } = request.nextUrl;
  const refused = providerError(request, searchParams);
  if (refused) return refused;
  const config = serverConfig();
  const cookies = checkCookies(request, config);
  if (cookies && 'probe' in cookies) return cookies.probe;
  if (cookies) return failSignIn(request, 'cookies_disabled', 'the cookie check came back empty');
  if (needsConfirmation(request, searchParams, config)) return confirmationPage(searchParams);
  return startSignIn(request, searchParams, 307);
});

/**
 * The confirmation page's "Continue": the same sign-in as the GET it stood in for, with the
 * parameters from the form. Same-origin only, or the login CSRF would simply move to this form.
 */
export const POST = authRoute({ rateLimit: 'login' }, async (request: NextRequest) => {
  if (!isSameOrigin(request)) {
    return failRoute(request, new AuthError('cross_site_request', 'sign-in form from elsewhere'));
  }
  const type = request.headers.get('content-type') ?? '';
  const body = type.startsWith('application/x-www-form-urlencoded')
    ? await readAtMost(request, MAX_FORM_BYTES)
    : null;
  if (body === null) return failSignIn(request, 'invalid_request', 'unreadable sign-in form');
  const params = new URLSearchParams(body);
  // 303: the browser must GET the authorize URL, not post the form on to Scalekit.
  return providerError(request, params) ?? startSignIn(request, params, 303);
});

/** `?error=` as the coded error page: never reflected, a known code of ours or `provider_error`. */
function providerError(request: NextRequest, params: URLSearchParams) {
  const error = params.get('error');
  if (error === null) return null;
  return failSignIn(request, isAuthErrorCode(error) ? error : 'provider_error');
}

/** The redirect (`status`) to Scalekit's authorize URL for `params`, with its transaction cookie. */
async function startSignIn(request: NextRequest, searchParams: URLSearchParams, status: 303 | 307) {
  const config = serverConfig();
  const idpToken = searchParams.get('idp_initiated_login');
  let idp: IdpInitiatedLogin | null = null;
  try {
    idp = idpToken === null ? null : await readIdpInitiatedLogin(idpToken);
  } catch (err) {
    if (isAuthError(err, 'invalid_request')) return failSignIn(request, err.code, err.message);
    throw err;
  }
  // An IdP-initiated login routes by its signed claims alone, never by the query's.
  const options = readAuthorizeOptions(idp?.params ?? searchParams);
  if (!options) return failSignIn(request, 'invalid_request', 'malformed authorize parameter');
  const forwarded = forwardedParams(searchParams, OWN_PARAMS);
  if (!forwarded) return failSignIn(request, 'invalid_request', 'too many forwarded parameters');

  const returnTo = idp?.returnTo ?? sanitizeReturnTo(searchParams.get('returnTo'));
  const response = noStore(NextResponse.redirect(config.appUrl, status));
  clearCookieProbe(request, response, config);
  const forced = options.prompt === 'login';
  const transaction = await createTransaction(
    returnTo,
    response.cookies,
    request.cookies,
    config,
    forced ? { forced } : { forced, previousSignIn: await previousSignIn(request) },
  );
  const url = new URL(
    scalekit().getAuthorizationUrl(callbackUrl(), {
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      state: transaction.state,
      nonce: transaction.nonce,
      codeChallenge: await pkceChallenge(transaction.codeVerifier),
      codeChallengeMethod: 'S256',
      ...options,
    }),
  );
  for (const [name, value] of forwarded) url.searchParams.append(name, value);
  response.headers.set('Location', url.href);
  return response;
}

/** Who is signed in here already, and since when: from the verified session and its record. */
async function previousSignIn(request: NextRequest) {
  const current = await openAccessSession(request.cookies).catch(() => null);
  if (!current) return undefined;
  const { signedInAt } = await sessionOf(current.claims, request.cookies);
  return signedInAt === undefined ? undefined : { sub: current.claims.sub, signedInAt };
}
