import { NextResponse } from 'next/server';
import { describe, expect, inject, it } from 'vitest';
import { GET as callback } from '@/app/(auth)/api/callback/route';
import { GET as login } from '@/app/(auth)/login/route';
import { GET as reports } from '@/app/api/protected/reports/route';
import { withAuth, withSession } from '@/lib/server/guards';
import { decodeJwt } from 'jose';
import { M2M_CLIENT } from '../../tools/scalekit-stand-in/m2m-clients';
import { call, signIn, type CallOptions } from '../../support/app';
import { captureAuthLog } from '../../support/auth-log';
import { issuerControl } from '../../support/issuer-control';
import { machineTokenClaims } from '../../support/machine-tokens';

const issuerUrl = inject('issuerUrl');
const control = issuerControl(issuerUrl);
const app = { login, callback };

/** A token from the stand-in's token endpoint for its M2M client, as the client would get one. */
async function clientCredentialsToken(): Promise<string> {
  const response = await fetch(`${issuerUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: M2M_CLIENT.clientId,
      client_secret: M2M_CLIENT.clientSecret,
    }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

const bearer = (token: string) => ({
  authorization: `Bearer ${token}`,
  accept: 'application/json',
});

type Route = Parameters<typeof call>[0];

/** Calls `route` at `path`, expecting it to log one refusal of `code` with `detail`. */
async function refused(
  route: Route,
  path: string,
  options: CallOptions,
  code: string,
  detail: string,
) {
  const { result, lines } = await captureAuthLog(() => call(route, path, options));
  expect(lines).toEqual([expect.objectContaining({ code, route: path, kind: 'api', detail })]);
  return result;
}

describe('machine callers (bearer) in route handlers', () => {
  it('bearer: the stand-in issues its M2M client the claims Scalekit documents', async () => {
    expect(decodeJwt(await clientCredentialsToken())).toMatchObject({
      iss: issuerUrl,
      sub: M2M_CLIENT.clientId,
      client_id: M2M_CLIENT.clientId,
      aud: [...M2M_CLIENT.audience],
      oid: M2M_CLIENT.organizationId,
      scopes: [...M2M_CLIENT.scopes],
      jti: expect.stringMatching(/^tkn_/),
    });
  });

  it('bearer: withAuth hands a machine with the scope its claims, never cached', async () => {
    const response = await call(reports, '/api/protected/reports', {
      headers: bearer(await clientCredentialsToken()),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      caller: 'machine',
      client: M2M_CLIENT.clientId,
      organization: M2M_CLIENT.organizationId,
    });
    expect(response.headers.get('cache-control')).toBe('private, no-store');
  });

  it('bearer: withAuth answers a missing scope 403 insufficient_scope, naming the scopes needed', async () => {
    const route = withAuth(() => NextResponse.json({ ok: true }), { scopes: ['reports:write'] });
    const response = await refused(
      route,
      '/api/protected/x',
      { headers: bearer(await clientCredentialsToken()) },
      'insufficient_scope',
      'a scope is missing',
    );
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: 'insufficient_scope' });
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="reports:write"',
    );
  });

  it('bearer: withAuth answers a machine 403 forbidden where the route needs a role only people hold', async () => {
    const route = withAuth(() => NextResponse.json({ ok: true }), { role: 'admin' });
    const response = await refused(
      route,
      '/api/protected/x',
      { headers: bearer(await clientCredentialsToken()) },
      'forbidden',
      'a requirement only people can meet',
    );
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: 'forbidden' });
  });

  it('bearer: withAuth answers an expired token 401 token_expired, error="invalid_token"', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await control.sign(
      machineTokenClaims({
        scopes: ['reports:read'],
        iat: now - 7200,
        nbf: now - 7200,
        exp: now - 60,
      }),
    );
    const response = await refused(
      reports,
      '/api/protected/reports',
      { headers: bearer(expired) },
      'token_expired',
      'machine token has expired',
    );
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'token_expired' });
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('bearer: withAuth refuses a bearer token sent with a session cookie: 400 invalid_request', async () => {
    const { jar } = await signIn(app, 'member');
    const response = await refused(
      reports,
      '/api/protected/reports',
      { jar, headers: bearer(await clientCredentialsToken()) },
      'invalid_request',
      'a bearer token and a cookie',
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_request' });
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_request"');
  });

  it('bearer: withAuth still serves a signed-in person by the cookie', async () => {
    const { jar } = await signIn(app, 'member');
    const response = await call(reports, '/api/protected/reports', { jar });
    expect(await response.json()).toMatchObject({ caller: 'person', user: 'usr_acme_member' });
  });

  it('bearer: withSession takes no bearer token, even a genuine one: 400 invalid_request', async () => {
    const route = withSession(() => NextResponse.json({ ok: true }));
    const response = await refused(
      route,
      '/api/protected/x',
      { headers: bearer(await clientCredentialsToken()) },
      'invalid_request',
      'a bearer token on a session route',
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_request' });
  });
});
