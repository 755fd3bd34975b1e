import { afterEach, describe, expect, it, vi } from 'vitest';
import { GET as callback } from '@/app/(auth)/api/callback/route';
import { GET as admin } from '@/app/api/protected/admin/route';
import { GET as login } from '@/app/(auth)/login/route';
import { call, expectErrorJson, signIn } from '../../../../support/app';
import { captureAuthLog } from '../../../../support/auth-log';
import type { CookieJar } from '../../../../support/cookie-jar';

const app = { login, callback };

/** Calls `/api/protected/admin`, expecting one logged failure of `code` there. */
async function refused(code: string, jar?: CookieJar) {
  const { result, lines } = await captureAuthLog(() =>
    call(admin, '/api/protected/admin', { jar }),
  );
  expect(lines).toEqual([
    expect.objectContaining({ code, route: '/api/protected/admin', kind: 'api' }),
  ]);
  return result;
}

describe('GET /api/protected/admin', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers an admin with their organization and roles', async () => {
    const { jar } = await signIn(app, 'admin');
    const response = await call(admin, '/api/protected/admin', { jar });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ organization: 'org_acme0001', roles: ['admin'] });
    expect(response.headers.get('cache-control')).toBe('private, no-store');
  });

  it('answers 403 forbidden to a signed-in member, never a sign-in (which would loop)', async () => {
    const { jar } = await signIn(app, 'member');
    await expectErrorJson(await refused('forbidden', jar), 403, 'forbidden');
  });

  it('answers 401 unauthenticated without a session', async () => {
    await expectErrorJson(await refused('unauthenticated'), 401, 'unauthenticated');
  });

  it('answers 401 token_expired, before any role check, once the access token expired', async () => {
    const { jar } = await signIn(app, 'member');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 310_000 });
    await expectErrorJson(await refused('token_expired', jar), 401, 'token_expired');
  });
});
