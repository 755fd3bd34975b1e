import { callbackUrl } from '../../server/env';
import { pkceChallenge, randomToken } from '../../server/login-transaction';
import { ask, plainCode } from './http';
import { otherLoopbackOrigin } from './loopback';
import type { CheckResult } from './report';

export interface CallbackTarget {
  readonly envUrl: string;
  readonly clientId: string;
  readonly appUrl: string;
}

const ALLOW_LIST = 'Dashboard > Authentication > Redirects > Allowed Callback URLs';

/** Errors a server names when it sends an unknown redirect_uri's error to the registered one. */
const REDIRECT_URI_ERRORS = new Set(['redirect_uri_mismatch', 'invalid_redirect_uri']);

/**
 * Starts a sign-in the way `/login` does (`response_type=code`, `openid`, state, nonce, PKCE S256)
 * with `<APP_URL>/api/callback`, and reads the first answer without following it: on to a login
 * page means the callback URL is allowed; an error page means it is not; an error sent back to
 * the callback itself means the URL was accepted but something else was refused.
 *
 * @example
 * const result = await checkCallback({ envUrl, clientId, appUrl }, 5000);
 */
export async function checkCallback(
  { envUrl, clientId, appUrl }: CallbackTarget,
  timeoutMs: number,
): Promise<CheckResult> {
  const callback = callbackUrl(appUrl);
  const authorize = new URL(`${envUrl}/oauth/authorize`);
  authorize.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: callback,
    response_type: 'code',
    scope: 'openid',
    state: randomToken(16),
    nonce: randomToken(16),
    // A real S256 challenge; its verifier is dropped, since this sign-in is never finished.
    code_challenge: await pkceChallenge(randomToken()),
    code_challenge_method: 'S256',
  }).toString();

  const outcome = await ask(authorize, {}, timeoutMs);
  if ('unreachable' in outcome) {
    return warn(
      `cannot tell: ${authorize.origin}${authorize.pathname} ${outcome.unreachable}`,
      'Run the doctor again once the environment answers.',
    );
  }
  const { status, headers } = outcome.answer;
  const location = headers.get('location');
  const notAllowed = {
    id: 'callback',
    status: 'fail',
    fix: `Add ${callback} under ${ALLOW_LIST}, exactly as written here${loopbackHint(appUrl)}.`,
  } as const;

  if (status >= 300 && status < 400 && location && URL.canParse(location, authorize)) {
    const next = new URL(location, authorize);
    if (`${next.origin}${next.pathname}` === callback) {
      const error = next.searchParams.get('error');
      if (error === null) return pass(callback, appUrl);
      const shown = plainCode(error) ?? '(unreadable)';
      if (REDIRECT_URI_ERRORS.has(error)) {
        return { ...notAllowed, summary: `Scalekit refused ${callback} (error=${shown})` };
      }
      return warn(
        `${callback} is accepted, but the sign-in request came back with error=${shown}`,
        'Sign in once with npm run dev and read the error page: the environment refuses a parameter, not the callback URL.',
      );
    }
    if (next.searchParams.has('error') || /error/i.test(next.pathname)) {
      return warn(
        `cannot tell: /oauth/authorize sent the browser to an error page (${next.origin}${next.pathname})`,
        `Check that ${callback} is listed under ${ALLOW_LIST}, then sign in once with npm run dev.`,
      );
    }
    return pass(callback, appUrl);
  }
  if (status >= 400 && status < 500) {
    return {
      ...notAllowed,
      summary: `/oauth/authorize answered HTTP ${status} with an error page for ${callback}: it is not an allowed callback URL`,
    };
  }
  return warn(
    `cannot tell: /oauth/authorize answered HTTP ${status}${location ? ' with a redirect it could not read' : ' without a redirect'}`,
    `Check that ${callback} is listed under ${ALLOW_LIST}, then sign in once with npm run dev.`,
  );
}

/**
 * Passes, and names the Initiate login URL to register: no Scalekit endpoint tells whether it is
 * set, and an environment without it strands invitations and IdP-initiated sign-ins.
 */
function pass(callback: string, appUrl: string): CheckResult {
  return {
    id: 'callback',
    status: 'pass',
    summary: `Scalekit accepts ${callback}: /oauth/authorize sends the browser on to its login page (the Initiate login URL, which no endpoint shows, must be ${appUrl}/login)`,
  };
}

function warn(summary: string, fix: string): CheckResult {
  return { id: 'callback', status: 'warn', summary, fix };
}

function loopbackHint(appUrl: string): string {
  const other = otherLoopbackOrigin(appUrl);
  return other ? ` (${other}/api/callback is a different URL)` : '';
}
