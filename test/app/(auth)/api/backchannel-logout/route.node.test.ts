import { SignJWT, generateKeyPair, type JWTPayload } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BACKCHANNEL_LOGOUT_EVENT } from '@/lib/server/logout-token';
import { loadAppInstance, type AppInstance } from '../../../../support/app-instance';
import { APP_URL, call, DOCUMENT, signIn } from '../../../../support/app';
import { captureAuthLog } from '../../../../support/auth-log';
import { serveRoute } from '../../../../support/route-server';
import { passes, revokedRefusal } from '../../../../support/strict-verdict';
import { startIssuer, type RunningIssuer } from '../../../../tools/scalekit-stand-in';
import { startUpstash, type LocalUpstash } from '../../../../tools/upstash-endpoint/start-upstash';

// Strict revocation needs Upstash: the Edge middleware shares no memory with the Node routes.
let upstash: LocalUpstash;

beforeAll(async () => {
  upstash = await startUpstash();
});
afterEach(() => upstash.rest.setFault(null));
afterAll(() => upstash?.close());

/** What the route logs when Redis refuses to store the logout (the fault the tests inject). */
const NOT_STORED = expect.objectContaining({
  code: 'store_unavailable',
  route: '/api/backchannel-logout',
  kind: 'api',
});

describe('POST /api/backchannel-logout', () => {
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
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
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
    const { jar, browser } = await signIn(app, 'member', '?prompt=login');
    expect(passes(await call(app.protect, '/dashboard', { jar, headers: DOCUMENT }))).toBe(true);

    // The session ends at the issuer without this app's /logout (another app, an admin…).
    const idHint = new URL(`${issuer.url}/oidc/logout`);
    idHint.searchParams.set('client_id', issuer.clientId);
    idHint.searchParams.set('post_logout_redirect_uri', `${APP_URL}/auth/signed-out`);
    await browser.logout(idHint.toString());

    const after = await revokedRefusal(() =>
      call(app.protect, '/dashboard', { jar, headers: DOCUMENT }),
    );
    expect(after.status).toBe(303);
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
    const UNVERIFIED = 'logout token failed verification';
    // Each case, and the detail the route logs for it.
    const cases: Array<[string, () => Promise<string>, string]> = [
      [
        'signed by another key',
        async () => {
          const { privateKey } = await generateKeyPair('RS256');
          return new SignJWT(claims())
            .setProtectedHeader({ alg: 'RS256', kid: 'snk_x' })
            .sign(privateKey);
        },
        UNVERIFIED,
      ],
      [
        'for another audience',
        () => issuer.signJwt({ ...claims(), aud: 'skc_other' }, { typ: 'logout+jwt' }),
        UNVERIFIED,
      ],
      [
        'from another issuer',
        () => issuer.signJwt({ ...claims(), iss: 'https://evil.example' }),
        UNVERIFIED,
      ],
      [
        'without the logout event',
        () => issuer.signJwt({ ...claims(), events: {} }),
        'logout token has no back-channel logout event',
      ],
      [
        'carrying a nonce (an ID token)',
        () => issuer.signJwt({ ...claims(), nonce: 'n' }),
        'logout token has a nonce',
      ],
      [
        'naming no session or user',
        () => issuer.signJwt({ ...claims(), sid: undefined }),
        'logout token names no session or user',
      ],
      [
        'older than five minutes',
        () => issuer.signJwt({ ...claims(), iat: now() - 3600 }),
        UNVERIFIED,
      ],
      [
        'typed as something else',
        () => issuer.signJwt(claims(), { typ: 'JWT+other' }),
        'logout token has an unexpected "typ" header',
      ],
    ];

    /** Posts `body` and expects a 400 invalid_request, logged once with `detail`. */
    const expectRefused = async (detail: string, body: string, type?: string) => {
      const { result: response, lines } = await captureAuthLog(() => post(body, type));
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'invalid_request' });
      expect(lines).toEqual([
        expect.objectContaining({
          code: 'invalid_request',
          route: '/api/backchannel-logout',
          kind: 'api',
          detail,
        }),
      ]);
    };

    it('(but the genuine token these are made from is accepted)', async () => {
      expect((await post(`logout_token=${await issuer.signJwt(claims())}`)).status).toBe(200);
    });

    it.each(cases)('%s', async (_, make, detail) => {
      await expectRefused(detail, `logout_token=${await make()}`);
    });

    it('missing, or not form-encoded', async () => {
      await expectRefused('no logout_token', '');
      await expectRefused(
        'not a form post',
        JSON.stringify({ logout_token: 'x' }),
        'application/json',
      );
    });

    it('in a body over 16 KB', async () => {
      const token = await issuer.signJwt(claims());
      await expectRefused(
        'body over 16 KB',
        `logout_token=${token}&padding=${'x'.repeat(16 * 1024)}`,
      );
    });
  });

  it('answers 503 store_unavailable when the revocation cannot be stored, so Scalekit retries', async () => {
    const token = await issuer.signJwt({
      iss: issuer.url,
      aud: issuer.clientId,
      iat: Math.floor(Date.now() / 1000),
      jti: crypto.randomUUID(),
      sid: 'ses_bcl_store_down',
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    });
    upstash.rest.setFault({ mode: 'error' });
    const { result: response, lines } = await captureAuthLog(() => post(`logout_token=${token}`));
    expect(lines).toEqual([NOT_STORED]);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toEqual({ error: 'store_unavailable' });
  });

  it('revokes on Scalekit’s retry when the first attempt stored the jti but not the revocation', async () => {
    const { jar } = await signIn(app, 'admin', '?prompt=login');
    const token = await issuer.signJwt({
      iss: issuer.url,
      aud: issuer.clientId,
      iat: Math.floor(Date.now() / 1000) + 1,
      jti: crypto.randomUUID(),
      sub: 'usr_acme_admin',
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    });
    // The jti's SET NX reaches Redis; every request after it fails.
    upstash.rest.setFault({ mode: 'error', passFirst: 1 });
    const first = await captureAuthLog(() => post(`logout_token=${token}`));
    expect(first.result.status).toBe(503);
    expect(first.lines).toEqual([NOT_STORED]);
    upstash.rest.setFault(null);
    expect(passes(await call(app.protect, '/dashboard', { jar, headers: DOCUMENT }))).toBe(true);

    expect((await post(`logout_token=${token}`)).status).toBe(200);
    const after = await revokedRefusal(() =>
      call(app.protect, '/dashboard', { jar, headers: DOCUMENT }),
    );
    expect(after.status).toBe(303);
  });

  it('accepts a genuine token naming only the user, revoking that user’s earlier sessions', async () => {
    const { jar } = await signIn(app, 'member', '?prompt=login');
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
    const after = await revokedRefusal(() =>
      call(app.protect, '/dashboard', { jar, headers: DOCUMENT }),
    );
    expect(after.status).toBe(303);
  });
});
