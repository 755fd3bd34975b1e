import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GET as callback } from '@/app/(auth)/api/callback/route';
import { GET as me } from '@/app/api/protected/me/route';
import { GET as login } from '@/app/(auth)/login/route';
import { POST as logoutPost } from '@/app/(auth)/logout/route';
import { APP_URL, authorize, call, pathOf, SAME_ORIGIN, signIn } from '../support/app';
import { loadAppInstance, type AppInstance } from '../support/app-instance';
import { captureAuthLog, loggedFailure } from '../support/auth-log';
import { issuerControl } from '../support/issuer-control';
import { sessionTokens, SESSION_COOKIES } from '../support/session-jar';
import { CookieJar } from '../support/cookie-jar';
import { startUpstash, type LocalUpstash } from '../tools/upstash-endpoint/start-upstash';

const ISSUER_URL = inject('issuerUrl');
const control = issuerControl(ISSUER_URL);

/** The hosted login's URL for a new sign-in of `jar`'s browser at the app. */
async function startSignIn(jar: CookieJar): Promise<string> {
  const start = await call(login, '/login?returnTo=%2Fdashboard', { jar });
  expect(start.status).toBe(307);
  return start.headers.get('location')!;
}

describe('a sign-out that never reached Scalekit', () => {
  it('a sign-in into a session this app already signed out is ended at Scalekit, and the next one is fresh', async () => {
    const { jar, browser } = await signIn({ login, callback });
    const { sid } = await sessionTokens(jar);

    // Signed out here, but the browser never follows the redirect to Scalekit's logout (a tab
    // closed or reloaded mid-redirect): the issuer's session survives.
    const out = await call(logoutPost, '/logout', { jar, method: 'POST', headers: SAME_ORIGIN });
    expect(out.status).toBe(303);
    expect(new URL(out.headers.get('location')!).origin).toBe(ISSUER_URL);
    expect(SESSION_COOKIES.filter((name) => jar.get(name))).toEqual([]);
    const logoutsBefore = (await control.counts()).logout ?? 0;

    // The next sign-in completes silently from that surviving session, with the same sid.
    const silent = await browser.continueSession(await startSignIn(jar));
    const { result: landed, lines } = await captureAuthLog(() =>
      call(callback, pathOf(silent), { jar }),
    );

    expect(landed.status).toBe(303);
    expect(landed.headers.getSetCookie().filter((c) => c.startsWith('sk_access='))).toEqual([]);
    expect(SESSION_COOKIES.filter((name) => jar.get(name))).toEqual([]);
    const endSession = new URL(landed.headers.get('location')!);
    expect(`${endSession.origin}${endSession.pathname}`).toBe(`${ISSUER_URL}/oidc/logout`);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(
      `${APP_URL}/auth/signed-out`,
    );
    // The hint is the ID token just received: the same session, which is why it was refused.
    expect(decodeJwt(endSession.searchParams.get('id_token_hint')!).sid).toBe(sid);
    expect(lines).toEqual([
      expect.objectContaining({
        event: 'auth_failure',
        code: 'session_revoked',
        route: '/api/callback',
      }),
    ]);

    // Following it ends the issuer's session and comes back to the signed-out page.
    const back = await browser.logout(endSession.href);
    expect(`${back.origin}${back.pathname}`).toBe(`${APP_URL}/auth/signed-out`);
    expect((await control.counts()).logout ?? 0).toBe(logoutsBefore + 1);

    // So the next sign-in asks who signs in, and starts a new session that works.
    const fresh = await browser.login(await startSignIn(jar), 'admin');
    expect(browser.pages.map((page) => page.title)).toContain('Sign in');
    const signedIn = await call(callback, pathOf(fresh), { jar });
    expect(signedIn.headers.get('location')).toBe(`${APP_URL}/dashboard`);
    expect((await sessionTokens(jar)).sid).not.toBe(sid);
    const who = await call(me, '/api/protected/me', { jar });
    expect(who.status).toBe(200);
    expect(await who.json()).toMatchObject({ sub: 'usr_acme_admin' });
  });
});

describe('a sign-in while the revocation list cannot be read', () => {
  let upstash: LocalUpstash;
  let app: AppInstance;

  beforeAll(async () => {
    upstash = await startUpstash();
    app = await loadAppInstance({
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
    });
  });
  afterAll(() => upstash?.close());

  it('starts no session and offers to sign in again, which works once the list can be read', async () => {
    const jar = new CookieJar();
    const { callbackUrl, browser } = await authorize(app.login, jar);
    await upstash.rest.setFault({ mode: 'error' });
    const { result: failed, lines } = await captureAuthLog(() =>
      call(app.callback, pathOf(callbackUrl), { jar }),
    ).finally(() => upstash.rest.setFault(null));

    // It may be a signed-out session: none is set, and Scalekit's session is left alone (the
    // fault is transient, so the person signs in again without a password).
    expect(failed.status).toBe(303);
    expect(failed.headers.get('location')).toBe(`${APP_URL}/auth/error?code=store_unavailable`);
    expect(SESSION_COOKIES.filter((name) => jar.get(name))).toEqual([]);
    expect(lines).toContainEqual(
      loggedFailure(
        'store_unavailable',
        '/api/callback',
        'the revocation list could not be read; no session was set',
      ),
    );

    const start = await call(app.login, '/login', { jar });
    const again = await browser.continueSession(start.headers.get('location')!);
    const signedIn = await call(app.callback, pathOf(again), { jar });
    expect(signedIn.headers.get('location')).toBe(`${APP_URL}/dashboard`);
    expect(SESSION_COOKIES.filter((name) => jar.get(name))).toEqual(SESSION_COOKIES);
  });
});
