import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GET as me } from '@/app/api/protected/me/route';
import { mintSession } from '../kit/mint-session';
import { standInSigner } from '../kit/signers';
import { throwawayKeySet, type ThrowawayKeySet } from '../kit/throwaway-key-set';
import { APP_URL } from '../support/app';
import { captureAuthLog, loggedFailure } from '../support/auth-log';
import { loadAppInstance } from '../support/app-instance';
import { revokedRefusal } from '../support/strict-verdict';
import { startUpstash, type LocalUpstash } from '../tools/upstash-endpoint/start-upstash';

const secret = process.env.SESSION_COOKIE_SECRET!;
const signer = standInSigner(inject('issuerUrl'), inject('clientId'));
const DOCUMENT = { 'sec-fetch-mode': 'navigate', accept: 'text/html' };

const request = (path: string, cookie: string, headers: Record<string, string> = {}) =>
  new NextRequest(new URL(path, APP_URL), { headers: { cookie, ...headers } });

describe('the test kit (node project)', () => {
  it('mints a session a Route Handler accepts, for any person, organization and roles', async () => {
    const session = await mintSession({
      signer,
      secret,
      user: { sub: 'usr_kit_1', email: 'kit@example.test' },
      organizationId: 'org_kit0001',
      roles: ['admin', 'billing'],
      permissions: ['invoices:read'],
    });
    const response = await me(request('/api/protected/me', session.cookieHeader()));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      sub: 'usr_kit_1',
      oid: 'org_kit0001',
      roles: ['admin', 'billing'],
      permissions: ['invoices:read'],
      email: 'kit@example.test',
    });
  });

  it('mints an expired session with one option: the route answers token_expired', async () => {
    const session = await mintSession({ signer, secret, expired: true });
    const { result: response, lines } = await captureAuthLog(async () =>
      me(request('/api/protected/me', session.cookieHeader())),
    );
    expect(lines).toEqual([
      expect.objectContaining({ code: 'token_expired', route: '/api/protected/me', kind: 'api' }),
    ]);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'token_expired' });
  });

  it('sends the refresh cookie only where a browser would: to /api/refresh', async () => {
    const session = await mintSession({ signer, secret });
    expect(session.cookieHeader('/dashboard')).not.toContain('sk_refresh=');
    expect(session.cookieHeader('/api/refresh')).toContain('sk_refresh=');
    expect(session.cookieHeader('/dashboard')).toContain('sk_access=');
  });

  it('names the cookies as the app does over https (__Host-, Secure)', async () => {
    const session = await mintSession({ signer, secret, appUrl: 'https://app.example.com' });
    expect(session.cookies.map((c) => [c.name, c.secure])).toEqual([
      ['__Host-sk_access', true],
      ['__Secure-sk_refresh', true],
      ['__Host-sk_id', true],
    ]);
    expect(session.storageState().cookies[0]).toMatchObject({
      domain: 'app.example.com',
      path: '/',
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
    });
  });

  describe('with strict revocation', () => {
    let upstash: LocalUpstash;
    beforeAll(async () => {
      upstash = await startUpstash();
    });
    afterAll(() => upstash?.close());

    it('mints a session of a revoked sid with one option: the middleware sends it to sign-in', async () => {
      const strict = await loadAppInstance({
        UPSTASH_REDIS_REST_URL: upstash.url,
        UPSTASH_REDIS_REST_TOKEN: upstash.token,
        SESSION_REVOCATION: 'strict',
      });
      const live = await mintSession({ signer, secret });
      const revoked = await mintSession({ signer, secret, revokedIn: strict.store });
      const pass = await strict.protect(request('/dashboard', live.cookieHeader(), DOCUMENT));
      expect(pass.headers.get('x-middleware-next')).toBe('1');
      const refused = await revokedRefusal(() =>
        strict.protect(request('/dashboard', revoked.cookieHeader(), DOCUMENT)),
      );
      expect(refused.status).toBe(303);
      expect(refused.headers.get('location')).toMatch(/\/login\?returnTo=/);
    });
  });

  describe('with a throwaway key set instead of the stand-in', () => {
    let keys: ThrowawayKeySet;
    beforeAll(async () => {
      keys = await throwawayKeySet({ clientId: 'skc_kit_test' });
    });
    afterAll(() => keys?.close());

    it('publishes its key at <issuer>/keys, so an app pointed at it accepts its sessions and no others', async () => {
      const app = await loadAppInstance({
        SCALEKIT_ENV_URL: keys.issuer,
        SCALEKIT_CLIENT_ID: 'skc_kit_test',
      });
      const own = await mintSession({ signer: keys, secret });
      const foreign = await mintSession({ signer, secret });
      const pass = await app.protect(request('/dashboard', own.cookieHeader(), DOCUMENT));
      expect(pass.headers.get('x-middleware-next')).toBe('1');
      const { result: refused, lines } = await captureAuthLog(() =>
        app.protect(request('/dashboard', foreign.cookieHeader(), DOCUMENT)),
      );
      expect(lines).toEqual([
        loggedFailure('unauthenticated', '/dashboard', 'access token failed verification'),
      ]);
      expect(refused.status).toBe(303);
      const discovery = await fetch(`${keys.issuer}/.well-known/openid-configuration`);
      expect(await discovery.json()).toEqual({
        issuer: keys.issuer,
        jwks_uri: `${keys.issuer}/keys`,
      });
    });
  });
});
