import { ask, oauthError, parseJson } from './http';
import type { CheckResult } from './report';

export interface ClientCredentials {
  readonly envUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * Asks `<SCALEKIT_ENV_URL>/oauth/token` for a `client_credentials` token, the grant the SDK
 * itself uses for management calls, with the credentials in the body (`client_secret_post`, as
 * the SDK sends them for the code exchange). The token is dropped unread: only the answer's kind
 * matters.
 *
 * @example
 * const result = await checkClient({ envUrl, clientId, clientSecret }, 5000);
 */
export async function checkClient(
  { envUrl, clientId, clientSecret }: ClientCredentials,
  timeoutMs: number,
): Promise<CheckResult> {
  const url = `${envUrl}/oauth/token`;
  const outcome = await ask(
    new URL(url),
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
      }),
    },
    timeoutMs,
  );
  if ('unreachable' in outcome) {
    return {
      id: 'client',
      status: 'fail',
      summary: `${url} ${outcome.unreachable}`,
      fix: 'Check that this machine can reach the environment, then run the doctor again.',
    };
  }
  const { answer } = outcome;
  const error = oauthError(answer);
  const token = (parseJson(answer) as { access_token?: unknown } | undefined)?.access_token;
  if (answer.status === 200 && typeof token === 'string') {
    return {
      id: 'client',
      status: 'pass',
      summary: `the token endpoint accepts SCALEKIT_CLIENT_ID ${clientId} and its secret (client_credentials grant)`,
    };
  }
  if (answer.status === 401 || error === 'invalid_client') {
    return {
      id: 'client',
      status: 'fail',
      summary: `wrong client id or secret: the token endpoint answered HTTP ${answer.status}${error ? ` ${error}` : ''} for SCALEKIT_CLIENT_ID ${clientId}`,
      fix: "Copy SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET from this environment's Dashboard > Developers > API Credentials (generate a new secret if it is lost).",
    };
  }
  return {
    id: 'client',
    status: 'warn',
    summary: `cannot tell: the token endpoint answered HTTP ${answer.status}${error ? ` ${error}` : ''} to a client_credentials grant`,
    fix: 'Run the doctor again; if the answer stays the same, sign in once with npm run dev: a wrong secret fails at the callback with exchange_failed.',
  };
}
