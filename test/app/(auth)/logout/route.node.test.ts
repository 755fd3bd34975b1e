import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GET as callback } from '@/app/(auth)/api/callback/route';
import { POST as refreshPost } from '@/app/(auth)/api/refresh/route';
import { GET as login } from '@/app/(auth)/login/route';
import { GET as logoutGet, POST as logoutPost } from '@/app/(auth)/logout/route';
import { loadAppInstance } from '../../../support/app-instance';
import { APP_URL, call, DOCUMENT, signIn } from '../../../support/app';
import { captureAuthLog, loggedFailure } from '../../../support/auth-log';
import {
  deletedCookies,
  SESSION_COOKIES,
  sessionTokens,
  withRefreshToken,
} from '../../../support/session-jar';
import { passes, revokedRefusal } from '../../../support/strict-verdict';
import { startUpstash, type LocalUpstash } from '../../../tools/upstash-endpoint/start-upstash';

const app = { login, callback };

describe('GET /logout', () => {
  it('never signs out: it shows the confirmation page', async () => {
    const { jar } = await signIn(app);
    const response = await call(logoutGet, '/logout', { jar });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${APP_URL}/auth/sign-out`);
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});

describe('POST /logout', () => {
  it('refuses a cross-site POST and clears nothing', async () => {
    const { jar } = await signIn(app);
    const attempts: Array<Record<string, string>> = [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      {},
    ];
    for (const headers of attempts) {
      const { result: response, lines } = await captureAuthLog(() =>
        call(logoutPost, '/logout', { jar, method: 'POST', headers }),
      );
      expect(lines).toEqual([
        loggedFailure('cross_site_request', '/logout', 'logout from another origin'),
      ]);
      expect(response.status).toBe(403);
      expect(response.headers.getSetCookie()).toEqual([]);
    }
  });

  it('signs out a same-origin POST at Scalekit too, so the refresh token stops working', async () => {
    const { jar, browser } = await signIn(app);
    const { refreshToken, idToken } = await sessionTokens(jar);
    const refreshJar = jar.clone();
    const response = await call(logoutPost, '/logout', {
      jar,
      method: 'POST',
      headers: { origin: APP_URL },
    });
    expect(response.status).toBe(303);
    const logoutUrl = new URL(response.headers.get('location')!);
    expect(`${logoutUrl.origin}${logoutUrl.pathname}`).toBe(`${inject('issuerUrl')}/oidc/logout`);
    expect(logoutUrl.searchParams.get('id_token_hint')).toBe(idToken);
    expect(logoutUrl.searchParams.get('post_logout_redirect_uri')).toBe(
      `${APP_URL}/auth/signed-out`,
    );
    expect(deletedCookies(response).sort()).toEqual([...SESSION_COOKIES].sort());
    for (const name of SESSION_COOKIES) expect(jar.get(name), name).toBeUndefined();

    const landed = await browser.logout(logoutUrl.toString());
    expect(`${landed.origin}${landed.pathname}`).toBe(`${APP_URL}/auth/signed-out`);
    expect(landed.searchParams.get('state')).toBe(logoutUrl.searchParams.get('state'));

    const refreshing = await withRefreshToken(refreshJar, refreshToken);
    const { result: refresh, lines } = await captureAuthLog(() =>
      call(refreshPost, '/api/refresh', {
        jar: refreshing,
        method: 'POST',
        headers: { origin: APP_URL },
      }),
    );
    expect(refresh.status).toBe(401);
    expect(lines).toEqual([
      loggedFailure('refresh_failed', '/api/refresh', 'the session was revoked'),
    ]);
  });

  it('accepts a form POST identified only by Sec-Fetch-Site: same-origin', async () => {
    const { jar } = await signIn(app);
    const response = await call(logoutPost, '/logout', {
      jar,
      method: 'POST',
      headers: { 'sec-fetch-site': 'same-origin' },
    });
    expect(response.status).toBe(303);
    expect(deletedCookies(response).sort()).toEqual([...SESSION_COOKIES].sort());
  });

  describe('and a copy of the old session cookie', () => {
    // Strict revocation needs Upstash: the Edge middleware shares no memory with the Node routes.
    let upstash: LocalUpstash;
    const withUpstash = () => ({
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
    });
    beforeAll(async () => {
      upstash = await startUpstash();
    });
    afterAll(() => upstash?.close());

    it('is rejected with SESSION_REVOCATION=strict (here at once: the test loads the middleware and /logout in one module graph)', async () => {
      const instance = await loadAppInstance({ ...withUpstash(), SESSION_REVOCATION: 'strict' });
      const { jar } = await signIn(instance, 'member', '?prompt=login');
      const copy = jar.clone();
      expect(
        passes(await call(instance.protect, '/dashboard', { jar: copy, headers: DOCUMENT })),
      ).toBe(true);

      const signedOut = await call(instance.logoutPost, '/logout', {
        jar,
        method: 'POST',
        headers: { origin: APP_URL },
      });
      expect(signedOut.status).toBe(303);
      const after = await revokedRefusal(() =>
        call(instance.protect, '/dashboard', { jar: copy, headers: DOCUMENT }),
      );
      expect(after.status).toBe(303);
      expect(after.headers.get('location')).toBe(`${APP_URL}/login?returnTo=%2Fdashboard`);
    });

    it('is still accepted until it expires with revocation off (the documented default)', async () => {
      const instance = await loadAppInstance({ ...withUpstash(), SESSION_REVOCATION: 'off' });
      const { jar } = await signIn(instance, 'member', '?prompt=login');
      const copy = jar.clone();
      const signedOut = await call(instance.logoutPost, '/logout', {
        jar,
        method: 'POST',
        headers: { origin: APP_URL },
      });
      expect(signedOut.status).toBe(303);
      expect(
        passes(await call(instance.protect, '/dashboard', { jar: copy, headers: DOCUMENT })),
      ).toBe(true);
    });
  });
});
