import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { GET as callback } from '@/app/(auth)/api/callback/route';
import { GET as me } from '@/app/api/protected/me/route';
import { GET as login } from '@/app/(auth)/login/route';
import { seal } from '@/lib/edge/seal';
import { call, expectErrorJson, signIn } from '../../../../support/app';
import { captureAuthLog } from '../../../../support/auth-log';
import { freshCopy } from '../../../../support/fresh-copy';
import { issuerControl } from '../../../../support/issuer-control';
import { accessTokenClaims } from '../../../../support/tokens';

const control = issuerControl(inject('issuerUrl'));
const app = { login, callback };

/** Calls `/api/protected/me`, expecting one logged failure of `code` there. */
async function refused(handler: typeof me, code: string, options: Parameters<typeof call>[2] = {}) {
  const { result, lines } = await captureAuthLog(() => call(handler, '/api/protected/me', options));
  expect(lines).toEqual([
    expect.objectContaining({ code, route: '/api/protected/me', kind: 'api' }),
  ]);
  return result;
}

describe('GET /api/protected/me', () => {
  afterEach(async () => {
    vi.useRealTimers();
    await control.setFault('keys', null);
  });

  it('answers the signed-in person’s verified claims and email, never cached', async () => {
    const { jar } = await signIn(app, 'member');
    const response = await call(me, '/api/protected/me', { jar });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      sub: 'usr_acme_member',
      sid: expect.any(String),
      oid: 'org_acme0001',
      roles: ['member'],
      permissions: ['organization:read'],
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      exp: expect.any(Number),
      email: 'member@acme.test',
    });
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.headers.get('vary')).toMatch(/\bCookie\b/);
  });

  it('answers 401 unauthenticated without a session', async () => {
    await expectErrorJson(await refused(me, 'unauthenticated'), 401, 'unauthenticated');
  });

  it('answers 401 unauthenticated for a cookie whose token the issuer did not sign for this app', async () => {
    const forged = await control.sign(accessTokenClaims({ aud: ['skc_other'] }));
    const cookie = `sk_access=${await seal(forged, 'access', [process.env.SESSION_COOKIE_SECRET!])}`;
    await expectErrorJson(
      await refused(me, 'unauthenticated', { headers: { cookie } }),
      401,
      'unauthenticated',
    );
  });

  it('answers 401 token_expired with WWW-Authenticate invalid_token once the access token expired', async () => {
    const { jar } = await signIn(app, 'member');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 310_000 });
    await expectErrorJson(await refused(me, 'token_expired', { jar }), 401, 'token_expired');
  });

  it('answers 503 jwks_unavailable when the keys cannot be fetched on a cold isolate', async () => {
    const { jar } = await signIn(app, 'member');
    const cold = await freshCopy(() => import('@/app/api/protected/me/route'));
    await control.setFault('keys', 'error');
    await expectErrorJson(
      await refused(cold.GET, 'jwks_unavailable', { jar }),
      503,
      'jwks_unavailable',
    );
  });
});
