import { decodeJwt } from 'jose';
import { beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { GET as callback } from '@/app/api/callback/route';
import { GET as refreshGet, POST as refreshPost } from '@/app/api/refresh/route';
import { GET as login } from '@/app/login/route';
import { GET as logoutGet, POST as logoutPost } from '@/app/logout/route';
import { seal, unseal } from '@/lib/edge/seal';
import { protect } from '@/lib/edge/protect';
import { issuerControl } from '../support/issuer-control';
import { APP_URL, authorize, call, pathOf } from '../support/app';
import { expireAccessToken } from '../support/expired-session';
import { CookieJar } from '../support/cookie-jar';

const control = issuerControl(inject('issuerUrl'));
const secrets = [process.env.SESSION_COOKIE_SECRET!];
const DOCUMENT = { 'sec-fetch-mode': 'navigate', accept: 'text/html' };
const SESSION_COOKIES = ['sk_access', 'sk_id', 'sk_refresh'];

async function signIn(user: 'admin' | 'member' = 'admin', query = '') {
  const jar = new CookieJar();
  const { callbackUrl, browser } = await authorize(login, jar, user, query);
  const response = await call(callback, pathOf(callbackUrl), { jar });
  return { jar, response, browser };
}

async function tokensIn(jar: CookieJar) {
  const open = (name: string, purpose: 'access' | 'refresh' | 'id') =>
    unseal(jar.get(name)!.value, purpose, secrets);
  return {
    accessToken: (await open('sk_access', 'access'))!,
    refreshToken: (await open('sk_refresh', 'refresh'))!,
    idToken: (await open('sk_id', 'id'))!,
  };
}

const tokenCalls = async () => (await control.counts()).token ?? 0;

describe('sign-in, refresh and sign-out with the real SDK against the local issuer', () => {
  beforeEach(async () => {
    await control.setFault('token', null);
  });

  it('signs in and lands on returnTo with sealed, HttpOnly, SameSite=Lax cookies', async () => {
    const { jar, response } = await signIn('admin', '?returnTo=%2Fdashboard%2Fadmin%3Ftab%3D2');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${APP_URL}/dashboard/admin?tab=2`);

    for (const name of SESSION_COOKIES) {
      const cookie = jar.get(name)!;
      expect(cookie, name).toBeDefined();
      expect(cookie.httpOnly).toBe(true);
      expect(cookie.sameSite).toBe('lax');
      expect(cookie.secure).toBe(false);
      expect(cookie.path).toBe(name === 'sk_refresh' ? '/api/refresh' : '/');
      // A sealed value is a compact JWE (dir, A256GCM), never the token itself.
      expect(cookie.value.split('.')).toHaveLength(5);
    }
    const { accessToken, refreshToken, idToken } = await tokensIn(jar);
    for (const cookie of jar.cookies.values()) {
      for (const token of [accessToken, refreshToken, idToken])
        expect(cookie.value).not.toContain(token);
    }
    expect(decodeJwt(idToken).email).toBe('admin@acme.test');
    expect(decodeJwt(accessToken).roles).toEqual(['admin']);
    expect([...jar.cookies.values()].some((c) => c.name.startsWith('sk_txn'))).toBe(false);
  });

  it('lets the signed-in browser through the middleware to a protected page', async () => {
    const { jar } = await signIn();
    const response = await call(protect, '/dashboard', { jar, headers: DOCUMENT });
    expect(response.headers.get('x-middleware-next')).toBe('1');
  });

  it('rotates both tokens on POST /api/refresh and answers the new expiry', async () => {
    const { jar } = await signIn();
    const before = await tokensIn(jar);
    const calls = await tokenCalls();
    const response = await call(refreshPost, '/api/refresh', { jar, method: 'POST' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { ok: boolean; expiresAt: number };
    expect(body.ok).toBe(true);
    const after = await tokensIn(jar);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.idToken).toBe(before.idToken);
    expect(body.expiresAt).toBe((decodeJwt(after.accessToken).exp as number) * 1000);
    expect((await tokenCalls()) - calls).toBe(1);
  });

  it('refreshes on GET for a document and goes back with a 303', async () => {
    const { jar } = await signIn();
    const response = await call(refreshGet, '/api/refresh?returnTo=%2Fdashboard%3Fa%3D1', { jar });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${APP_URL}/dashboard?a=1`);
    expect(response.headers.getSetCookie().some((c) => c.startsWith('sk_access='))).toBe(true);
  });

  it('redeems once for 10 concurrent refreshes with the same refresh token', async () => {
    const { jar } = await signIn();
    const calls = await tokenCalls();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        call(refreshPost, '/api/refresh', { jar: jar.clone(), method: 'POST' }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    const accessCookies = new Set(
      responses.map((r) => r.headers.getSetCookie().find((c) => c.startsWith('sk_access='))),
    );
    expect(accessCookies.size).toBeGreaterThan(0);
    expect((await tokenCalls()) - calls).toBe(1);
  });

  it('keeps the session when the token endpoint fails (500) or hangs', async () => {
    const { jar } = await signIn();
    // Hang first: switching to `error` then answers the hung request with a 500, so it never
    // reaches the token endpoint (a request released after its client gave up would rotate the
    // token unseen — a limitation the README states).
    for (const mode of ['hang', 'error'] as const) {
      await control.setFault('token', mode);
      const response = await call(refreshPost, '/api/refresh', { jar, method: 'POST' });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ error: 'refresh_unavailable' });
      expect(response.headers.getSetCookie()).toEqual([]);
    }
    await control.setFault('token', null);
    const recovered = await call(refreshPost, '/api/refresh', { jar, method: 'POST' });
    expect(recovered.status).toBe(200);
  });

  it('shows a retry page, not sign-in, when a document refresh meets a transient fault', async () => {
    const { jar } = await signIn();
    await control.setFault('token', 'error');
    // The access token is still valid here, so the person simply goes back to the page.
    const early = await call(refreshGet, '/api/refresh?returnTo=%2Fdashboard', { jar });
    expect(early.status).toBe(303);
    expect(early.headers.get('location')).toBe(`${APP_URL}/dashboard`);

    const expiredJar = jar.clone();
    await expireAccessToken(expiredJar);
    const retry = await call(refreshGet, '/api/refresh?returnTo=%2Fdashboard', { jar: expiredJar });
    expect(retry.status).toBe(503);
    expect(await retry.text()).toContain('You are still signed in');
    expect(retry.headers.getSetCookie()).toEqual([]);
  });

  it('answers a late request holding the old refresh token with the same pair, inside the grace window', async () => {
    const { jar } = await signIn();
    const stale = jar.clone();
    await call(refreshPost, '/api/refresh', { jar, method: 'POST' });
    const calls = await tokenCalls();
    const late = await call(refreshPost, '/api/refresh', { jar: stale, method: 'POST' });
    expect(late.status).toBe(200);
    expect((await tokensIn(stale)).accessToken).toBe((await tokensIn(jar)).accessToken);
    expect(await tokenCalls()).toBe(calls);
  });

  it('ends the session when an old refresh token is reused after the grace window', async () => {
    const { jar } = await signIn();
    const stale = jar.clone();
    await call(refreshPost, '/api/refresh', { jar, method: 'POST' });
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 31_000 });
    try {
      const staleAgain = stale.clone();
      const reused = await call(refreshPost, '/api/refresh', { jar: stale, method: 'POST' });
      expect(reused.status).toBe(401);
      expect(await reused.json()).toEqual({ error: 'refresh_failed' });
      // The rejection is remembered: the next request with that token does not go to Scalekit.
      const calls = await tokenCalls();
      const again = await call(refreshPost, '/api/refresh', { jar: staleAgain, method: 'POST' });
      expect(again.status).toBe(401);
      expect(await tokenCalls()).toBe(calls);
    } finally {
      vi.useRealTimers();
    }
  });

  it('ends the session when Scalekit rejects the refresh token', async () => {
    const { jar } = await signIn();
    const rejected = await call(refreshPost, '/api/refresh', {
      jar: await withRefreshToken(jar, 'not-a-valid-refresh-token'),
      method: 'POST',
    });
    expect(rejected.status).toBe(401);
    expect(await rejected.json()).toEqual({ error: 'refresh_failed' });
    const cleared = rejected.headers.getSetCookie().map((c) => c.split(';')[0]!.split('=')[0]);
    expect(cleared).toEqual(expect.arrayContaining(SESSION_COOKIES));
    expect(rejected.headers.getSetCookie().find((c) => c.startsWith('sk_refresh='))).toContain(
      'Path=/api/refresh',
    );
  });

  it('sends a document to sign-in when there is no refresh token', async () => {
    const response = await call(refreshGet, '/api/refresh?returnTo=%2Fdashboard');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${APP_URL}/login?returnTo=%2Fdashboard`);
  });

  describe('sign-out', () => {
    it('never signs out on GET', async () => {
      const { jar } = await signIn();
      const response = await call(logoutGet, '/logout', { jar });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(`${APP_URL}/auth/sign-out`);
      expect(response.headers.getSetCookie()).toEqual([]);
    });

    it('refuses a cross-site POST and clears nothing', async () => {
      const { jar } = await signIn();
      const attempts: Array<Record<string, string>> = [
        { origin: 'https://evil.example' },
        { 'sec-fetch-site': 'cross-site' },
        {},
      ];
      for (const headers of attempts) {
        const response = await call(logoutPost, '/logout', { jar, method: 'POST', headers });
        expect(response.status).toBe(403);
        expect(response.headers.getSetCookie()).toEqual([]);
      }
    });

    it('signs out a same-origin POST at Scalekit too, so the refresh token stops working', async () => {
      const { jar, browser } = await signIn();
      const { refreshToken } = await tokensIn(jar);
      const refreshJar = jar.clone();
      const response = await call(logoutPost, '/logout', {
        jar,
        method: 'POST',
        headers: { origin: APP_URL },
      });
      expect(response.status).toBe(303);
      const logoutUrl = new URL(response.headers.get('location')!);
      expect(`${logoutUrl.origin}${logoutUrl.pathname}`).toBe(`${inject('issuerUrl')}/oidc/logout`);
      expect(logoutUrl.searchParams.get('id_token_hint')).toBeTruthy();
      expect(logoutUrl.searchParams.get('post_logout_redirect_uri')).toBe(
        `${APP_URL}/auth/signed-out`,
      );
      for (const name of SESSION_COOKIES) expect(jar.get(name), name).toBeUndefined();

      const landed = await browser.logout(logoutUrl.toString());
      expect(`${landed.origin}${landed.pathname}`).toBe(`${APP_URL}/auth/signed-out`);
      expect(landed.searchParams.get('state')).toBe(logoutUrl.searchParams.get('state'));

      const refresh = await call(refreshPost, '/api/refresh', {
        jar: await withRefreshToken(refreshJar, refreshToken),
        method: 'POST',
      });
      expect(refresh.status).toBe(401);
    });

    it('accepts a form POST identified only by Sec-Fetch-Site: same-origin', async () => {
      const { jar } = await signIn();
      const response = await call(logoutPost, '/logout', {
        jar,
        method: 'POST',
        headers: { 'sec-fetch-site': 'same-origin' },
      });
      expect(response.status).toBe(303);
    });
  });
});

/** A copy of the jar whose refresh cookie holds `token`, sealed as the app would. */
async function withRefreshToken(jar: CookieJar, token: string): Promise<CookieJar> {
  const copy = jar.clone();
  const cookie = copy.get('sk_refresh')!;
  copy.cookies.set('sk_refresh;/api/refresh', {
    ...cookie,
    value: await seal(token, 'refresh', secrets),
  });
  return copy;
}
