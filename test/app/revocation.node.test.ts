import { SignJWT, generateKeyPair, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKCHANNEL_LOGOUT_EVENT } from '@/lib/server/logout-token';
import { startIssuer, type RunningIssuer } from '../tools/scalekit-stand-in';
import { startUpstash, type LocalUpstash } from '../tools/upstash-endpoint/start-upstash';
import { IssuerBrowser } from '../tools/scalekit-stand-in/browser';
import { loadAppInstance, type AppInstance } from '../support/app-instance';
import { APP_URL, call, pathOf } from '../support/app';
import { CookieJar } from '../support/cookie-jar';
import { serveRoute } from '../support/route-server';

const DOCUMENT = { 'sec-fetch-mode': 'navigate', accept: 'text/html' };
const passes = (response: Response) => response.headers.get('x-middleware-next') === '1';

async function signIn(app: AppInstance, browser = new IssuerBrowser()) {
  const jar = new CookieJar();
  const start = await call(app.login, '/login?prompt=login', { jar });
  const callbackUrl = await browser.login(start.headers.get('location')!, 'member');
  await call(app.callback, pathOf(callbackUrl), { jar });
  return { jar, browser };
}

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

describe('revocation after POST /logout', () => {
  it('rejects a copy of the old cookie at once with SESSION_REVOCATION=strict', async () => {
    const app = await loadAppInstance({ ...withUpstash(), SESSION_REVOCATION: 'strict' });
    const { jar } = await signIn(app);
    const copy = jar.clone();
    expect(passes(await call(app.protect, '/dashboard', { jar: copy, headers: DOCUMENT }))).toBe(
      true,
    );

    await call(app.logoutPost, '/logout', { jar, method: 'POST', headers: { origin: APP_URL } });
    const after = await call(app.protect, '/dashboard', { jar: copy, headers: DOCUMENT });
    expect(after.status).toBe(307);
    expect(after.headers.get('location')).toBe(`${APP_URL}/login?returnTo=%2Fdashboard`);
  });

  it('still accepts the copy until it expires with revocation off (the documented default)', async () => {
    const app = await loadAppInstance({ ...withUpstash(), SESSION_REVOCATION: 'off' });
    const { jar } = await signIn(app);
    const copy = jar.clone();
    await call(app.logoutPost, '/logout', { jar, method: 'POST', headers: { origin: APP_URL } });
    expect(passes(await call(app.protect, '/dashboard', { jar: copy, headers: DOCUMENT }))).toBe(
      true,
    );
  });
});

describe('back-channel logout', () => {
  let issuer: RunningIssuer;
  let app: AppInstance;
  let receiver: Awaited<ReturnType<typeof serveRoute>>;

  beforeAll(async () => {
    // A dedicated issuer that knows where to post logout tokens, and an app instance using it.
    // The receiver needs a URL before the app exists; it calls the app once the app is loaded.
    receiver = await serveRoute(
      (request) => app.backchannelLogout(request),
      '/api/backchannel-logout',
    );
    issuer = await startIssuer({
      redirectUris: [`${APP_URL}/api/callback`],
      postLogoutRedirectUris: [`${APP_URL}/auth/signed-out`],
      backchannelLogoutUri: receiver.url,
    });
    app = await loadAppInstance({
      SCALEKIT_ENV_URL: issuer.url,
      SCALEKIT_CLIENT_ID: issuer.clientId,
      SCALEKIT_CLIENT_SECRET: issuer.clientSecret,
      ...withUpstash(),
      SESSION_REVOCATION: 'strict',
    });
  });
  afterAll(async () => {
    await issuer?.close();
    await receiver?.close();
  });

  // Over real HTTP, as Scalekit would post it.
  const post = (body: string, type = 'application/x-www-form-urlencoded') =>
    fetch(receiver.url, { method: 'POST', headers: { 'content-type': type }, body });

  it('revokes the session when the issuer ends it, so a copied cookie stops working', async () => {
    const { jar, browser } = await signIn(app);
    expect(passes(await call(app.protect, '/dashboard', { jar, headers: DOCUMENT }))).toBe(true);

    // The session ends at the issuer without this app's /logout (another app, an admin…).
    const idHint = new URL(`${issuer.url}/oidc/logout`);
    idHint.searchParams.set('client_id', issuer.clientId);
    idHint.searchParams.set('post_logout_redirect_uri', `${APP_URL}/auth/signed-out`);
    await browser.logout(idHint.toString());

    const after = await call(app.protect, '/dashboard', { jar, headers: DOCUMENT });
    expect(after.status).toBe(307);
  });

  describe('refuses logout tokens that are', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const claims = (): JWTPayload => ({
      iss: issuer.url,
      aud: issuer.clientId,
      iat: now(),
      jti: crypto.randomUUID(),
      sid: 'ses_bcl_test',
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    });
    const cases: Array<[string, () => Promise<string>]> = [
      [
        'signed by another key',
        async () => {
          const { privateKey } = await generateKeyPair('RS256');
          return new SignJWT(claims())
            .setProtectedHeader({ alg: 'RS256', kid: 'snk_x' })
            .sign(privateKey);
        },
      ],
      [
        'for another audience',
        () => issuer.signJwt({ ...claims(), aud: 'skc_other' }, { typ: 'logout+jwt' }),
      ],
      ['from another issuer', () => issuer.signJwt({ ...claims(), iss: 'https://evil.example' })],
      ['without the logout event', () => issuer.signJwt({ ...claims(), events: {} })],
      ['carrying a nonce (an ID token)', () => issuer.signJwt({ ...claims(), nonce: 'n' })],
      ['naming no session or user', () => issuer.signJwt({ ...claims(), sid: undefined })],
      ['older than five minutes', () => issuer.signJwt({ ...claims(), iat: now() - 3600 })],
      ['typed as something else', () => issuer.signJwt(claims(), { typ: 'JWT+other' })],
    ];

    it.each(cases)('%s', async (_, make) => {
      const response = await post(`logout_token=${await make()}`);
      expect(response.status).toBe(400);
    });

    it('missing, or not form-encoded', async () => {
      expect((await post('')).status).toBe(400);
      expect((await post(JSON.stringify({ logout_token: 'x' }), 'application/json')).status).toBe(
        400,
      );
    });
  });

  it('accepts a genuine token naming only the user, revoking that user’s earlier sessions', async () => {
    const { jar } = await signIn(app);
    const token = await issuer.signJwt(
      {
        iss: issuer.url,
        aud: issuer.clientId,
        iat: Math.floor(Date.now() / 1000) + 1,
        jti: crypto.randomUUID(),
        sub: 'usr_acme_member',
        events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
      },
      { typ: 'logout+jwt' },
    );
    expect((await post(`logout_token=${token}`)).status).toBe(200);
    expect((await call(app.protect, '/dashboard', { jar, headers: DOCUMENT })).status).toBe(307);
  });
});
