import { decodeJwt } from 'jose';
import { beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { GET as callback } from '@/app/(auth)/api/callback/route';
import { GET as refreshGet, POST as refreshPost } from '@/app/(auth)/api/refresh/route';
import { GET as login } from '@/app/(auth)/login/route';
import { POST as logoutPost } from '@/app/(auth)/logout/route';
import { protect } from '@/lib/edge/protect';
import { APP_URL, call, DOCUMENT, pathOf, SAME_ORIGIN, signIn } from '../../../../support/app';
import { captureAuthLog, loggedFailure } from '../../../../support/auth-log';
import { expireAccessToken, resignAccessToken } from '../../../../support/expired-session';
import { issuerControl } from '../../../../support/issuer-control';
import {
  accessTokenSet,
  deletedCookies,
  SESSION_COOKIES,
  sessionTokens,
  withRefreshToken,
} from '../../../../support/session-jar';

const control = issuerControl(inject('issuerUrl'));
const app = { login, callback };
const tokenCalls = async () => (await control.counts()).token ?? 0;
const SERVER_ACTION = { ...SAME_ORIGIN, 'next-action': '7f3e1c2b9a8d4e5f60718293a4b5c6d7e8f90a1b' };

const UNREACHABLE = {
  code: 'refresh_unavailable',
  route: '/api/refresh',
  detail: 'Scalekit could not be reached to refresh the session',
};
const REJECTED = {
  code: 'refresh_failed',
  route: '/api/refresh',
  detail: 'Scalekit rejected the refresh token',
};

describe('/api/refresh', () => {
  beforeEach(async () => {
    await control.setFault('token', null);
  });

  describe('POST (the session keeper)', () => {
    it('rotates both tokens and answers the new expiry', async () => {
      const { jar } = await signIn(app);
      const before = await sessionTokens(jar);
      const calls = await tokenCalls();
      const response = await call(refreshPost, '/api/refresh', {
        jar,
        method: 'POST',
        headers: SAME_ORIGIN,
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { ok: boolean; expiresAt: number };
      expect(body.ok).toBe(true);
      const after = await sessionTokens(jar);
      expect(after.accessToken).not.toBe(before.accessToken);
      expect(after.refreshToken).not.toBe(before.refreshToken);
      expect(after.idToken).toBe(before.idToken);
      expect(body.expiresAt).toBe((decodeJwt(after.accessToken).exp as number) * 1000);
      expect((await tokenCalls()) - calls).toBe(1);
    });

    it('redeems once for 10 concurrent refreshes with the same refresh token, giving all the same token', async () => {
      const { jar } = await signIn(app);
      const calls = await tokenCalls();
      const responses = await Promise.all(
        Array.from({ length: 10 }, () =>
          call(refreshPost, '/api/refresh', {
            jar: jar.clone(),
            method: 'POST',
            headers: SAME_ORIGIN,
          }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
      // Every response sets the access cookie (each sealed anew), all holding the one new token.
      const accessTokens = await Promise.all(responses.map(accessTokenSet));
      expect(accessTokens.filter((token) => token !== null)).toHaveLength(10);
      expect(new Set(accessTokens).size).toBe(1);
      expect((await tokenCalls()) - calls).toBe(1);
    });

    it('keeps the session when the token endpoint fails (500) or hangs', async () => {
      const { jar } = await signIn(app);
      // Hang first: switching to `error` then answers the hung request with a 500, so it never
      // reaches the token endpoint (a request released after its client gave up would rotate the
      // token unseen — a limitation the README states).
      for (const mode of ['hang', 'error'] as const) {
        await control.setFault('token', mode);
        const { result: response, lines } = await captureAuthLog(() =>
          call(refreshPost, '/api/refresh', { jar, method: 'POST', headers: SAME_ORIGIN }),
        );
        expect(lines).toEqual([expect.objectContaining({ ...UNREACHABLE, kind: 'api' })]);
        expect(response.status).toBe(503);
        expect(await response.json()).toEqual({ error: 'refresh_unavailable' });
        expect(response.headers.getSetCookie()).toEqual([]);
      }
      await control.setFault('token', null);
      const recovered = await call(refreshPost, '/api/refresh', {
        jar,
        method: 'POST',
        headers: SAME_ORIGIN,
      });
      expect(recovered.status).toBe(200);
    });

    it('answers a late request holding the old refresh token with the same pair, inside the grace window', async () => {
      const { jar } = await signIn(app);
      const stale = jar.clone();
      await call(refreshPost, '/api/refresh', { jar, method: 'POST', headers: SAME_ORIGIN });
      const calls = await tokenCalls();
      const late = await call(refreshPost, '/api/refresh', {
        jar: stale,
        method: 'POST',
        headers: SAME_ORIGIN,
      });
      expect(late.status).toBe(200);
      expect((await sessionTokens(stale)).accessToken).toBe((await sessionTokens(jar)).accessToken);
      expect(await tokenCalls()).toBe(calls);
    });

    it('ends the session when an old refresh token is reused after the grace window', async () => {
      const { jar } = await signIn(app);
      const stale = jar.clone();
      await call(refreshPost, '/api/refresh', { jar, method: 'POST', headers: SAME_ORIGIN });
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 31_000 });
      try {
        const staleAgain = stale.clone();
        const { result: reused, lines } = await captureAuthLog(() =>
          call(refreshPost, '/api/refresh', { jar: stale, method: 'POST', headers: SAME_ORIGIN }),
        );
        expect(lines).toEqual([expect.objectContaining({ ...REJECTED, kind: 'api' })]);
        expect(reused.status).toBe(401);
        expect(await reused.json()).toEqual({ error: 'refresh_failed' });
        // The rejection is remembered: the next request with that token does not go to Scalekit.
        const calls = await tokenCalls();
        const { result: again, lines: againLines } = await captureAuthLog(() =>
          call(refreshPost, '/api/refresh', {
            jar: staleAgain,
            method: 'POST',
            headers: SAME_ORIGIN,
          }),
        );
        expect(againLines).toEqual([expect.objectContaining({ ...REJECTED, kind: 'api' })]);
        expect(again.status).toBe(401);
        expect(await tokenCalls()).toBe(calls);
      } finally {
        vi.useRealTimers();
      }
    });

    it('ends the session when Scalekit rejects the refresh token', async () => {
      const { jar } = await signIn(app);
      const planted = await withRefreshToken(jar, 'not-a-valid-refresh-token');
      const { result: rejected, lines } = await captureAuthLog(() =>
        call(refreshPost, '/api/refresh', { jar: planted, method: 'POST', headers: SAME_ORIGIN }),
      );
      expect(lines).toEqual([expect.objectContaining({ ...REJECTED, kind: 'api' })]);
      expect(rejected.status).toBe(401);
      expect(await rejected.json()).toEqual({ error: 'refresh_failed' });
      expect(deletedCookies(rejected).sort()).toEqual([...SESSION_COOKIES].sort());
      expect(rejected.headers.getSetCookie().find((c) => c.startsWith('sk_refresh='))).toContain(
        'Path=/api/refresh',
      );
    });
  });

  describe('POST (a Server Action the middleware replayed here)', () => {
    it('sends the action back to its page with a 307 and fresh cookies, so it runs once', async () => {
      const { jar } = await signIn(app);
      const before = await sessionTokens(jar);
      const response = await call(refreshPost, '/api/refresh?returnTo=%2Fdashboard', {
        jar,
        method: 'POST',
        headers: SERVER_ACTION,
      });
      expect(response.status).toBe(307);
      expect(response.headers.get('location')).toBe(`${APP_URL}/dashboard`);
      expect((await sessionTokens(jar)).accessToken).not.toBe(before.accessToken);
    });

    it('sends an action whose session has ended to sign-in with x-action-redirect', async () => {
      const { jar } = await signIn(app);
      const planted = await withRefreshToken(jar, 'not-a-valid-refresh-token');
      const { result: response, lines } = await captureAuthLog(() =>
        call(refreshPost, '/api/refresh?returnTo=%2Fdashboard', {
          jar: planted,
          method: 'POST',
          headers: SERVER_ACTION,
        }),
      );
      expect(lines).toEqual([expect.objectContaining({ ...REJECTED, kind: 'action' })]);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-action-redirect')).toBe(
        '/login?returnTo=%2Fdashboard;replace',
      );
      expect(deletedCookies(response).sort()).toEqual([...SESSION_COOKIES].sort());
    });
  });

  describe('POST (a plain form post the middleware replayed here: an action before hydration)', () => {
    const FORM = {
      ...SAME_ORIGIN,
      'sec-fetch-mode': 'navigate',
      accept: 'text/html',
      'content-type': 'application/x-www-form-urlencoded',
    };

    it('sends the form back to its page with a 307 and fresh cookies, never JSON', async () => {
      const { jar } = await signIn(app);
      const before = await sessionTokens(jar);
      const response = await call(refreshPost, '/api/refresh?returnTo=%2Fdashboard', {
        jar,
        method: 'POST',
        headers: FORM,
      });
      expect(response.status).toBe(307);
      expect(response.headers.get('location')).toBe(`${APP_URL}/dashboard`);
      expect((await sessionTokens(jar)).accessToken).not.toBe(before.accessToken);
    });

    it('sends a form whose session has ended to sign-in with a 303', async () => {
      const { jar } = await signIn(app);
      const planted = await withRefreshToken(jar, 'not-a-valid-refresh-token');
      const { result: response, lines } = await captureAuthLog(() =>
        call(refreshPost, '/api/refresh?returnTo=%2Fdashboard', {
          jar: planted,
          method: 'POST',
          headers: FORM,
        }),
      );
      // Everything under /api/ is logged as kind `api`, a page load included (requestKind).
      expect(lines).toEqual([expect.objectContaining({ ...REJECTED, kind: 'api' })]);
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(`${APP_URL}/login?returnTo=%2Fdashboard`);
    });
  });

  describe('GET (a document the middleware sent here)', () => {
    it('refreshes and goes back with a 303', async () => {
      const { jar } = await signIn(app);
      const before = await sessionTokens(jar);
      const response = await call(refreshGet, '/api/refresh?returnTo=%2Fdashboard%3Fa%3D1', {
        jar,
      });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(`${APP_URL}/dashboard?a=1`);
      expect(await accessTokenSet(response)).not.toBe(before.accessToken);
      expect(await accessTokenSet(response)).toBe((await sessionTokens(jar)).accessToken);
    });

    it('shows a retry page, not sign-in, when a document refresh meets a transient fault', async () => {
      const { jar } = await signIn(app);
      await control.setFault('token', 'error');
      // The access token is still valid here, so the person simply goes back to the page.
      const { result: early, lines } = await captureAuthLog(() =>
        call(refreshGet, '/api/refresh?returnTo=%2Fdashboard', { jar }),
      );
      expect(lines).toEqual([expect.objectContaining(UNREACHABLE)]);
      expect(early.status).toBe(303);
      expect(early.headers.get('location')).toBe(`${APP_URL}/dashboard`);

      const expiredJar = jar.clone();
      await expireAccessToken(expiredJar);
      const { result: retry, lines: retryLines } = await captureAuthLog(() =>
        call(refreshGet, '/api/refresh?returnTo=%2Fdashboard', { jar: expiredJar }),
      );
      expect(retryLines).toEqual([expect.objectContaining(UNREACHABLE)]);
      expect(retry.status).toBe(503);
      expect(await retry.text()).toContain('You are still signed in');
      expect(retry.headers.getSetCookie()).toEqual([]);
    });

    it('sends a document to sign-in when there is no refresh token', async () => {
      const { result: response, lines } = await captureAuthLog(() =>
        call(refreshGet, '/api/refresh?returnTo=%2Fdashboard'),
      );
      expect(lines).toEqual([
        loggedFailure('refresh_failed', '/api/refresh', 'no session to renew'),
      ]);
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(`${APP_URL}/login?returnTo=%2Fdashboard`);
    });
  });

  describe('the security review of issue 19', () => {
    const CROSS_SITE_FORM = {
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'navigate',
      accept: 'text/html',
      'content-type': 'application/x-www-form-urlencoded',
    };

    it('a cross-site refresh POST keeps the session', async () => {
      const { jar } = await signIn(app);
      const before = await sessionTokens(jar);
      const calls = await tokenCalls();
      // What another site's auto-submitted form makes the browser send: none of our cookies
      // (SameSite=Lax), a foreign Origin, a page load.
      const { result, lines } = await captureAuthLog(() =>
        call(refreshPost, '/api/refresh', { method: 'POST', headers: CROSS_SITE_FORM }),
      );
      expect(result.status).toBe(403);
      expect(result.headers.get('content-type')).toContain('text/html');
      expect(result.headers.getSetCookie()).toEqual([]);
      expect(lines).toEqual([
        expect.objectContaining({ code: 'cross_site_request', route: '/api/refresh' }),
      ]);
      // With the cookies as well, a foreign or unknown origin is refused before anything is read.
      const attempts: Array<Record<string, string>> = [
        { origin: 'https://evil.example' },
        { 'sec-fetch-site': 'cross-site' },
        {},
      ];
      for (const headers of attempts) {
        const refused = await captureAuthLog(() =>
          call(refreshPost, '/api/refresh', { jar, method: 'POST', headers }),
        );
        expect(refused.result.status).toBe(403);
        expect(refused.result.headers.getSetCookie()).toEqual([]);
      }
      expect(await tokenCalls()).toBe(calls);
      expect(await sessionTokens(jar)).toEqual(before);
      const own = await call(refreshPost, '/api/refresh', {
        jar,
        method: 'POST',
        headers: { 'sec-fetch-site': 'same-origin' },
      });
      expect(own.status).toBe(200);
    });

    it('a refresh that presented none of our cookies deletes none', async () => {
      const { result: page } = await captureAuthLog(() =>
        call(refreshGet, '/api/refresh?returnTo=%2Fdashboard', { headers: DOCUMENT }),
      );
      expect(page.status).toBe(303);
      expect(page.headers.get('location')).toBe(`${APP_URL}/login?returnTo=%2Fdashboard`);
      expect(page.headers.getSetCookie()).toEqual([]);
      const { result: keeper } = await captureAuthLog(() =>
        call(refreshPost, '/api/refresh', { method: 'POST', headers: SAME_ORIGIN }),
      );
      expect(keeper.status).toBe(401);
      expect(keeper.headers.getSetCookie()).toEqual([]);
    });

    it('a transient refresh failure ends the redirect loop within one round trip', async () => {
      const { jar } = await signIn(app);
      // In the token's last seconds (the early refresh is due within 10 s of expiry).
      await resignAccessToken(jar, (now) => ({ iat: now - 292, nbf: now - 292, exp: now + 8 }));
      await control.setFault('token', 'error');
      const calls = await tokenCalls();
      const page = await call(protect, '/dashboard', { jar, headers: DOCUMENT });
      expect(page.status).toBe(307);
      const refreshUrl = new URL(page.headers.get('location')!);
      expect(refreshUrl.pathname).toBe('/api/refresh');
      const { result: back, lines } = await captureAuthLog(() =>
        call(refreshGet, pathOf(refreshUrl), { jar, headers: DOCUMENT }),
      );
      expect(back.status).toBe(303);
      expect(back.headers.get('location')).toBe(`${APP_URL}/dashboard`);
      expect(lines).toEqual([expect.objectContaining({ code: 'refresh_unavailable' })]);
      // Back on the page, the still-valid token is served: no second trip to refresh.
      const again = await call(protect, '/dashboard', { jar, headers: DOCUMENT });
      expect(again.headers.get('x-middleware-next')).toBe('1');
      expect((await tokenCalls()) - calls).toBe(1);
      // The deferral lasts no longer than the token: once it has expired, refresh is asked again.
      await expireAccessToken(jar);
      const { result: expired } = await captureAuthLog(() =>
        call(protect, '/dashboard', { jar, headers: DOCUMENT }),
      );
      expect(expired.status).toBe(307);
      expect(new URL(expired.headers.get('location')!).pathname).toBe('/api/refresh');
    });

    it('a refresh in flight does not resurrect a signed-out session', async () => {
      const { jar } = await signIn(app);
      const calls = await tokenCalls();
      // Hold the redemption at Scalekit, sign out meanwhile, then let Scalekit answer.
      await control.setFault('token', 'hang');
      const inFlight = captureAuthLog(() =>
        call(refreshPost, '/api/refresh', {
          jar: jar.clone(),
          method: 'POST',
          headers: SAME_ORIGIN,
        }),
      );
      await vi.waitFor(async () => expect(await tokenCalls()).toBe(calls + 1), { timeout: 5_000 });
      const out = await call(logoutPost, '/logout', { jar, method: 'POST', headers: SAME_ORIGIN });
      expect(out.status).toBe(303);
      await control.setFault('token', null);
      const { result, lines } = await inFlight;
      expect(result.status).toBe(401);
      expect(await result.json()).toEqual({ error: 'refresh_failed' });
      expect(await accessTokenSet(result)).toBeNull();
      expect(deletedCookies(result).sort()).toEqual([...SESSION_COOKIES].sort());
      expect(lines).toEqual([
        expect.objectContaining({ code: 'refresh_failed', detail: 'the session was revoked' }),
      ]);
    });
  });
});
