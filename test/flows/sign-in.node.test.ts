import { describe, expect, it } from 'vitest';
import { GET as callback } from '@/app/(auth)/api/callback/route';
import { GET as me } from '@/app/api/protected/me/route';
import { POST as refreshPost } from '@/app/(auth)/api/refresh/route';
import { GET as login } from '@/app/(auth)/login/route';
import { POST as logoutPost } from '@/app/(auth)/logout/route';
import { protect } from '@/lib/edge/protect';
import { APP_URL, authorize, call, DOCUMENT, pathOf, SAME_ORIGIN, signIn } from '../support/app';
import { captureAuthLog } from '../support/auth-log';
import { CookieJar } from '../support/cookie-jar';
import { sessionTokens } from '../support/session-jar';

const passes = (response: Response) => response.headers.get('x-middleware-next') === '1';

describe('signing in, using the session, renewing it and signing out, with the real SDK', () => {
  it('lets the signed-in browser through the middleware to a protected page', async () => {
    const { jar } = await signIn({ login, callback });
    const response = await call(protect, '/dashboard', { jar, headers: DOCUMENT });
    expect(passes(response)).toBe(true);
  });

  it('goes from a protected page to sign-in and back, through refresh, to signed out', async () => {
    const jar = new CookieJar();
    const signedOut = { code: 'unauthenticated', detail: 'no session cookie opens' };
    const { result: first, lines } = await captureAuthLog(() =>
      call(protect, '/dashboard/admin?tab=2', { jar, headers: DOCUMENT }),
    );
    expect(lines).toEqual([
      expect.objectContaining({ ...signedOut, route: '/dashboard/admin', kind: 'document' }),
    ]);
    expect(first.status).toBe(303);
    const loginUrl = new URL(first.headers.get('location')!);
    expect(pathOf(loginUrl)).toBe('/login?returnTo=%2Fdashboard%2Fadmin%3Ftab%3D2');

    const { callbackUrl } = await authorize(login, jar, 'admin', loginUrl.search);
    const landed = await call(callback, pathOf(callbackUrl), { jar });
    expect(landed.headers.get('location')).toBe(`${APP_URL}/dashboard/admin?tab=2`);
    expect(passes(await call(protect, '/dashboard/admin?tab=2', { jar, headers: DOCUMENT }))).toBe(
      true,
    );
    const who = await call(me, '/api/protected/me', { jar });
    expect(await who.json()).toMatchObject({ sub: 'usr_acme_admin', email: 'admin@acme.test' });

    const before = await sessionTokens(jar);
    expect(
      (await call(refreshPost, '/api/refresh', { jar, method: 'POST', headers: SAME_ORIGIN }))
        .status,
    ).toBe(200);
    expect((await sessionTokens(jar)).accessToken).not.toBe(before.accessToken);
    const stillMe = await call(me, '/api/protected/me', { jar });
    expect(await stillMe.json()).toMatchObject({ sub: 'usr_acme_admin', email: 'admin@acme.test' });

    const out = await call(logoutPost, '/logout', {
      jar,
      method: 'POST',
      headers: { origin: APP_URL },
    });
    expect(out.status).toBe(303);
    const after = await captureAuthLog(() =>
      call(protect, '/dashboard', { jar, headers: DOCUMENT }),
    );
    expect(after.result.status).toBe(303);
    expect(after.result.headers.get('location')).toBe(`${APP_URL}/login?returnTo=%2Fdashboard`);
    expect(after.lines).toEqual([
      expect.objectContaining({ ...signedOut, route: '/dashboard', kind: 'document' }),
    ]);
    const api = await captureAuthLog(() => call(me, '/api/protected/me', { jar }));
    expect(api.result.status).toBe(401);
    expect(api.lines).toEqual([
      expect.objectContaining({ code: 'unauthenticated', route: '/api/protected/me', kind: 'api' }),
    ]);
  });
});
