import { afterEach, describe, expect, it, vi } from 'vitest';
import { GET as callback } from '@/app/(auth)/api/callback/route';
import { GET as session } from '@/app/(auth)/api/session/route';
import { GET as login } from '@/app/(auth)/login/route';
import { call, signIn } from '../../../../support/app';

const app = { login, callback };

function expectPrivate(response: Response) {
  expect(response.headers.get('cache-control')).toBe('private, no-store');
  expect(response.headers.get('vary')).toMatch(/\bCookie\b/);
}

describe('GET /api/session', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers signed-out, 200 and never cached, without a session', async () => {
    const response = await call(session, '/api/session');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'signed-out', session: null });
    expectPrivate(response);
  });

  it('answers the signed-in person’s snapshot and no token', async () => {
    const { jar } = await signIn(app, 'member');
    const response = await call(session, '/api/session', { jar });
    expect(response.status).toBe(200);
    expectPrivate(response);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({
      status: 'signed-in',
      session: {
        user: { sub: 'usr_acme_member', email: 'member@acme.test', name: expect.any(String) },
        organizationId: 'org_acme0001',
        roles: ['member'],
        permissions: ['organization:read'],
        expiresAt: expect.any(Number),
      },
    });
    expect(body).not.toMatch(/eyJ/);
  });

  it('answers renewing, with the person, once the access token expired', async () => {
    const { jar } = await signIn(app, 'member');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 310_000 });
    const response = await call(session, '/api/session', { jar });
    expect(await response.json()).toMatchObject({
      status: 'renewing',
      session: { user: { email: 'member@acme.test' } },
    });
  });

  it('answers signed-out for a cookie that does not open', async () => {
    const response = await call(session, '/api/session', {
      headers: { cookie: 'sk_access=not-a-sealed-token' },
    });
    expect(await response.json()).toEqual({ status: 'signed-out', session: null });
  });
});
