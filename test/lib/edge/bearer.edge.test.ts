import { NextRequest } from 'next/server';
import { afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { bearerToken } from '@/lib/edge/bearer';
import { verifyMachineToken } from '@/lib/edge/machine-token';
import { protect } from '@/lib/edge/protect';
import { mintSession } from '../../kit/mint-session';
import { M2M_AUDIENCE } from '../../tools/scalekit-stand-in/m2m-clients';
import { standInSigner } from '../../kit/signers';
import { issuerControl } from '../../support/issuer-control';
import { machineTokenClaims } from '../../support/machine-tokens';
import { accessTokenClaims } from '../../support/tokens';

const control = issuerControl(inject('issuerUrl'));
const APP = 'http://127.0.0.1:3999';
const FETCH = { 'sec-fetch-mode': 'cors', accept: 'application/json' };

function request(path: string, headers: Record<string, string>, method = 'GET') {
  return new NextRequest(`${APP}${path}`, { method, headers });
}

const passed = (response: Response) => response.headers.get('x-middleware-next') === '1';

async function expectRefused(response: Response, status: number, code: string, error: string) {
  expect(passed(response)).toBe(false);
  expect(response.status).toBe(status);
  expect(await response.json()).toEqual({ error: code });
  expect(response.headers.get('www-authenticate')).toBe(`Bearer error="${error}"`);
  expect(response.headers.get('cache-control')).toBe('private, no-store');
}

describe('bearer tokens at the Edge', () => {
  let token: string;
  const bearer = (value: string) => ({ ...FETCH, authorization: `Bearer ${value}` });
  const logged = vi.spyOn(console, 'warn').mockImplementation(() => {});

  beforeAll(async () => {
    token = await control.sign(machineTokenClaims());
  });
  afterEach(() => {
    vi.useRealTimers();
    logged.mockClear();
  });

  it('bearer: passes an API request with a machine token to its route, with no session', async () => {
    const response = await protect(request('/api/protected/reports', bearer(token)));
    expect(passed(response)).toBe(true);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
  });

  it('bearer: reads the claims Scalekit documents for an M2M token', async () => {
    expect(await verifyMachineToken(token)).toMatchObject({
      sub: 'm2morg_69038819013296423',
      clientId: 'm2morg_69038819013296423',
      oid: 'org_59615193906282635',
      scopes: ['deploy:applications', 'read:deployments'],
    });
    const asString = await control.sign(machineTokenClaims({ scopes: undefined, scope: 'a b' }));
    expect((await verifyMachineToken(asString)).scopes).toEqual(['a', 'b']);
  });

  it('bearer: never accepts a token for a document, a page navigation or a Server Action', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const document = { 'sec-fetch-mode': 'navigate', accept: 'text/html', ...auth };
    const rsc = { 'sec-fetch-mode': 'cors', accept: '*/*', ...auth };
    const action = { 'next-action': 'abc', 'sec-fetch-mode': 'cors', ...auth };
    await expectRefused(
      await protect(request('/dashboard', document)),
      400,
      'invalid_request',
      'invalid_request',
    );
    await expectRefused(
      await protect(request('/dashboard', rsc)),
      400,
      'invalid_request',
      'invalid_request',
    );
    await expectRefused(
      await protect(request('/dashboard', action, 'POST')),
      400,
      'invalid_request',
      'invalid_request',
    );
  });

  it('bearer: refuses a request that carries a session cookie as well (one credential per request)', async () => {
    const signer = standInSigner(inject('issuerUrl'), inject('clientId'));
    const session = await mintSession({ signer, secret: process.env.SESSION_COOKIE_SECRET! });
    const cookie = session.cookieHeader('/api/protected/reports');
    const response = await protect(request('/api/protected/reports', { ...bearer(token), cookie }));
    await expectRefused(response, 400, 'invalid_request', 'invalid_request');
  });

  it('bearer: leaves other schemes alone (HTTP Basic in front of a preview), judging by the cookie', async () => {
    const basic = { ...FETCH, authorization: 'Basic dXNlcjpwYXNz' };
    const response = await protect(request('/api/protected/reports', basic));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'unauthenticated' });
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('bearer: refuses a malformed Authorization header', async () => {
    for (const authorization of ['Bearer', 'Bearer  ', `Bearer ${token} extra`]) {
      const response = await protect(
        request('/api/protected/reports', { ...FETCH, authorization }),
      );
      await expectRefused(response, 400, 'invalid_request', 'invalid_request');
    }
    expect(bearerToken(`bearer ${token}`)).toBe(token);
  });

  it('bearer: answers an expired token 401 token_expired, error="invalid_token"', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 3_700_000 });
    const response = await protect(request('/api/protected/reports', bearer(token)));
    await expectRefused(response, 401, 'token_expired', 'invalid_token');
  });

  // Each row breaks exactly one rule of a genuine machine token.
  const forged: Array<[string, () => Promise<string>]> = [
    ['another audience', () => control.sign(machineTokenClaims({ aud: ['https://other.test'] }))],
    [
      'no audience (the docs example as it is)',
      () => control.sign(machineTokenClaims({ aud: undefined })),
    ],
    ['another issuer', () => control.sign(machineTokenClaims({ iss: 'https://evil.test' }))],
    ["a user session token (this app's audience, a sid)", () => control.sign(accessTokenClaims())],
    [
      'a user session token sent to the API audience',
      () => control.sign(accessTokenClaims({ aud: [M2M_AUDIENCE] })),
    ],
    ['no sub', () => control.sign(machineTokenClaims({ sub: undefined }))],
    ['scopes not a list of strings', () => control.sign(machineTokenClaims({ scopes: 'a b' }))],
    ['a nonce (an ID token)', () => control.sign(machineTokenClaims({ nonce: 'n' }))],
    ['HS256', () => control.sign(machineTokenClaims(), { alg: 'HS256' })],
    [
      'a changed signature',
      async () => `${(await control.sign(machineTokenClaims())).slice(0, -4)}AAAA`,
    ],
  ];
  it.each(forged)(
    'bearer: refuses a token with %s: 401 token_invalid, error="invalid_token"',
    async (_, make) => {
      const response = await protect(request('/api/protected/reports', bearer(await make())));
      await expectRefused(response, 401, 'token_invalid', 'invalid_token');
      expect(logged).toHaveBeenCalledTimes(1);
    },
  );
});
