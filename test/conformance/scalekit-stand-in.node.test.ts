import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScalekitClient } from '@scalekit-sdk/node';
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  jwtVerify,
  type JWK,
} from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { IssuerBrowser } from '../tools/scalekit-stand-in/browser';
import { startIssuer, type RunningIssuer } from '../tools/scalekit-stand-in';
import {
  APP_URL,
  control,
  issuerWithSdk,
  OFFLINE_SCOPES,
  pkcePair,
  POST_LOGOUT_URI,
  random,
  REDIRECT_URI,
  signIn,
  tokenRequest,
} from './scalekit-sdk-flows';

async function publishedKeys(issuer: RunningIssuer): Promise<JWK[]> {
  const { keys } = (await (await fetch(`${issuer.url}/keys`)).json()) as { keys: JWK[] };
  return keys;
}

describe('the local issuer', () => {
  let issuer: RunningIssuer;
  let scalekit: ScalekitClient;

  beforeAll(async () => {
    ({ issuer, scalekit } = await issuerWithSdk());
  });
  afterAll(() => issuer.close());
  afterEach(() => {
    issuer.setFault('keys', null);
    issuer.setFault('token', null);
    issuer.setAccessTokenTtl(300);
    issuer.setDateSkew(0);
  });

  describe('discovery and keys', () => {
    it('publishes the issuer exactly as its base URL and the Scalekit endpoint paths', async () => {
      const response = await fetch(`${issuer.url}/.well-known/openid-configuration`);
      const discovery = (await response.json()) as Record<string, unknown>;

      expect(issuer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(discovery).toMatchObject({
        issuer: issuer.url,
        jwks_uri: `${issuer.url}/keys`,
        authorization_endpoint: `${issuer.url}/oauth/authorize`,
        token_endpoint: `${issuer.url}/oauth/token`,
        end_session_endpoint: `${issuer.url}/oidc/logout`,
        token_endpoint_auth_methods_supported: ['client_secret_post'],
        code_challenge_methods_supported: ['S256'],
      });
    });

    it('publishes public RS256 keys whose ids look like snk_…', async () => {
      const keys = await publishedKeys(issuer);

      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(keys[0]?.kid).toMatch(/^snk_/);
      expect(keys[0]).not.toHaveProperty('d');
    });
  });

  describe('hosted login through the Scalekit SDK', () => {
    it('exchanges the code for the chosen user, an ID token, an access token and a refresh token', async () => {
      const result = await signIn(scalekit, 'admin');

      expect(result.user).toMatchObject({
        id: 'usr_acme_admin',
        email: 'admin@acme.test',
        emailVerified: true,
        name: 'Ada Admin',
        givenName: 'Ada',
        familyName: 'Admin',
      });
      expect(result.expiresIn).toBe(300);
      expect(result.idToken).toBeTruthy();
      expect(result.accessToken).toBeTruthy();
      expect(result.refreshToken).toBeTruthy();
    });

    it('issues access tokens with the header and claims Scalekit documents', async () => {
      const { accessToken } = await signIn(scalekit, 'admin');
      const [key] = await publishedKeys(issuer);
      const header = decodeProtectedHeader(accessToken);
      const claims = decodeJwt(accessToken);

      expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: key?.kid });
      expect(claims).toMatchObject({
        iss: issuer.url,
        aud: [issuer.clientId],
        client_id: issuer.clientId,
        oid: expect.stringMatching(/^org_acme/),
        roles: ['admin'],
        permissions: ['organization:read', 'organization:write', 'members:invite'],
        scope: 'openid profile email offline_access',
      });
      expect(claims.sub).toMatch(/^usr_/);
      expect(claims.jti).toMatch(/^tkn_/);
      expect(claims.sid).toMatch(/^ses_/);
      expect(claims.nbf).toBe(claims.iat);
      expect(Number(claims.exp) - Number(claims.iat)).toBe(300);

      const jwks = createRemoteJWKSet(new URL(`${issuer.url}/keys`));
      await expect(
        jwtVerify(accessToken, jwks, { issuer: issuer.url, audience: issuer.clientId }),
      ).resolves.toBeTruthy();
    });

    it('issues ID tokens with the profile, organization, session and nonce', async () => {
      const { idToken, accessToken, nonce } = await signIn(scalekit, 'admin');
      const claims = decodeJwt(idToken);

      expect(decodeProtectedHeader(idToken)).toMatchObject({ alg: 'RS256' });
      expect(claims).toMatchObject({
        iss: issuer.url,
        sub: 'usr_acme_admin',
        email: 'admin@acme.test',
        email_verified: true,
        name: 'Ada Admin',
        given_name: 'Ada',
        family_name: 'Admin',
        oid: decodeJwt(accessToken).oid,
        sid: decodeJwt(accessToken).sid,
        nonce,
      });
      expect([claims.aud].flat()).toContain(issuer.clientId);
      expect(claims.exp).toBeGreaterThan(Number(claims.iat));
      // Scalekit documents no auth_time: the app records the sign-in time itself.
      expect(claims).not.toHaveProperty('auth_time');
    });

    it('gives each test user their own organization, roles and permissions', async () => {
      const member = decodeJwt((await signIn(scalekit, 'member')).accessToken);
      const other = decodeJwt((await signIn(scalekit, 'other')).accessToken);
      const admin = decodeJwt((await signIn(scalekit, 'admin')).accessToken);

      expect(member).toMatchObject({
        oid: admin.oid,
        roles: ['member'],
        permissions: ['organization:read'],
      });
      expect(other).toMatchObject({ oid: expect.stringMatching(/^org_globex/), roles: ['admin'] });
      expect(other.oid).not.toBe(admin.oid);
    });

    it('sends access_denied with a description and the state when the user denies access', async () => {
      const state = random();
      const callback = await new IssuerBrowser().login(
        scalekit.getAuthorizationUrl(REDIRECT_URI, { state }),
        'denied',
      );

      expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
      expect(callback.searchParams.get('error')).toBe('access_denied');
      expect(callback.searchParams.get('error_description')).toBeTruthy();
      expect(callback.searchParams.get('state')).toBe(state);
      expect(callback.searchParams.has('code')).toBe(false);
    });

    it('issues no refresh token when offline_access is not requested', async () => {
      const result = await signIn(scalekit, 'member', { scopes: ['openid', 'profile', 'email'] });

      expect(result.refreshToken).toBeUndefined();
      expect(decodeJwt(result.accessToken).scope).toBe('openid profile email');
    });

    it('signs the same browser in again without the login page while its issuer session lasts', async () => {
      const first = await signIn(scalekit, 'admin');
      // The user passed here is never asked for: the issuer session answers straight away.
      const second = await signIn(scalekit, 'member', { browser: first.browser });

      expect(decodeJwt(second.accessToken).sub).toBe('usr_acme_admin');
      expect(decodeJwt(second.accessToken).sid).toBe(decodeJwt(first.accessToken).sid);
      expect(second.refreshToken).toBeTruthy();
    });

    it('shows the login page again for prompt=login and lets the browser switch user', async () => {
      const first = await signIn(scalekit, 'admin');
      const second = await signIn(scalekit, 'member', { browser: first.browser, prompt: 'login' });

      expect(decodeJwt(second.accessToken).sub).toBe('usr_acme_member');
    });

    it('offers one button per test user, named for the browser tests', async () => {
      const response = await fetch(scalekit.getAuthorizationUrl(REDIRECT_URI, { state: 's' }), {
        redirect: 'manual',
      });
      const loginPage = await fetch(new URL(response.headers.get('location') ?? '', issuer.url), {
        headers: {
          cookie: response.headers
            .getSetCookie()
            .map((cookie) => cookie.split(';')[0])
            .join('; '),
        },
      });
      const buttons = [...(await loginPage.text()).matchAll(/<button[^>]*>([^<]*)<\/button>/g)].map(
        ([, text]) => text,
      );

      expect(buttons).toEqual([
        'Continue as admin@acme.test',
        'Continue as member@acme.test',
        'Continue as other@globex.test',
        'Continue as morgan@acme.test',
        'Deny access',
      ]);
    });

    it('names every cookie it sets with the issuer_ prefix', async () => {
      const response = await fetch(scalekit.getAuthorizationUrl(REDIRECT_URI, { state: 's' }), {
        redirect: 'manual',
      });
      const names = response.headers.getSetCookie().map((cookie) => cookie.split('=')[0]);

      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(name).toMatch(/^issuer_/);
    });
  });

  describe('authorization codes, PKCE and redirect URIs', () => {
    it('rejects a replayed authorization code with invalid_grant', async () => {
      const { code, verifier } = await signIn(scalekit, 'admin');

      const replay = await tokenRequest(issuer, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      });

      expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      await expect(
        scalekit.authenticateWithCode(code, REDIRECT_URI, { codeVerifier: verifier }),
      ).rejects.toThrow(/400/);
    });

    it('rejects a code exchanged with the wrong PKCE verifier', async () => {
      const { challenge } = pkcePair();
      const callback = await new IssuerBrowser().login(
        scalekit.getAuthorizationUrl(REDIRECT_URI, {
          scopes: OFFLINE_SCOPES,
          state: random(),
          codeChallenge: challenge,
          codeChallengeMethod: 'S256',
        }),
        'admin',
      );

      const exchange = await tokenRequest(issuer, {
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code') ?? '',
        redirect_uri: REDIRECT_URI,
        code_verifier: pkcePair().verifier,
      });

      expect(exchange).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    });

    it('refuses redirect URIs until they are registered, by method or over HTTP', async () => {
      const viaMethod = `${APP_URL}/method/callback`;
      const viaHttp = `${APP_URL}/http/callback`;
      const login = (redirectUri: string) =>
        new IssuerBrowser().login(
          scalekit.getAuthorizationUrl(redirectUri, { state: 's' }),
          'member',
        );

      await expect(login(viaMethod)).rejects.toThrow(/400/);
      issuer.registerClientUris({ redirectUris: [viaMethod] });
      expect((await login(viaMethod)).searchParams.get('code')).toBeTruthy();

      await expect(login(viaHttp)).rejects.toThrow(/400/);
      expect(await control(issuer, 'client', { redirectUris: [viaHttp] })).toMatchObject({
        status: 200,
      });
      expect((await login(viaHttp)).searchParams.get('code')).toBeTruthy();
    });
  });

  describe('refresh tokens', () => {
    it('rotates the refresh token on every use and rejects the used one with invalid_grant', async () => {
      const { refreshToken, accessToken } = await signIn(scalekit, 'admin');

      const refreshed = await scalekit.refreshAccessToken(refreshToken);
      expect(refreshed.refreshToken).toBeTruthy();
      expect(refreshed.refreshToken).not.toBe(refreshToken);
      expect(decodeJwt(refreshed.accessToken)).toMatchObject({
        sub: 'usr_acme_admin',
        sid: decodeJwt(accessToken).sid,
        roles: ['admin'],
        aud: [issuer.clientId],
      });

      const reuse = await tokenRequest(issuer, {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      });
      expect(reuse).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      await expect(scalekit.refreshAccessToken(refreshToken)).rejects.toThrow(/400/);
    });

    it('revokes the whole token family once a used refresh token comes back', async () => {
      const { refreshToken } = await signIn(scalekit, 'admin');
      const refreshed = await scalekit.refreshAccessToken(refreshToken);

      await expect(scalekit.refreshAccessToken(refreshToken)).rejects.toThrow(/400/);
      await expect(scalekit.refreshAccessToken(refreshed.refreshToken)).rejects.toThrow(/400/);
    });
  });

  describe('logout', () => {
    it('returns to the post-logout URI with the state and ends the session and its refresh tokens', async () => {
      const { idToken, refreshToken, browser } = await signIn(scalekit, 'admin');
      const state = random();

      const landing = await browser.logout(
        scalekit.getLogoutUrl({
          idTokenHint: idToken,
          postLogoutRedirectUri: POST_LOGOUT_URI,
          state,
        }),
      );

      expect(landing.href).toBe(`${POST_LOGOUT_URI}?state=${state}`);
      expect(
        await tokenRequest(issuer, { grant_type: 'refresh_token', refresh_token: refreshToken }),
      ).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      // The issuer session is gone: the next login asks who is signing in.
      const next = await signIn(scalekit, 'member', { browser });
      expect(decodeJwt(next.accessToken).sub).toBe('usr_acme_member');
    });

    it('refuses a post-logout URI that is not registered', async () => {
      const { idToken, browser } = await signIn(scalekit, 'admin');

      await expect(
        browser.logout(
          scalekit.getLogoutUrl({
            idTokenHint: idToken,
            postLogoutRedirectUri: `${APP_URL}/elsewhere`,
            state: 's',
          }),
        ),
      ).rejects.toThrow(/400/);
    });
  });

  describe('access-token validation with the SDK', () => {
    it('accepts an issued access token and rejects a tampered one', async () => {
      const { accessToken } = await signIn(scalekit, 'member');
      const [header, payload, signature] = accessToken.split('.');
      const forgedPayload = Buffer.from(
        JSON.stringify({ ...decodeJwt(accessToken), roles: ['admin'] }),
      ).toString('base64url');

      expect(
        await scalekit.validateAccessToken(accessToken, {
          issuer: issuer.url,
          audience: [issuer.clientId],
        }),
      ).toBe(true);
      expect(await scalekit.validateAccessToken(`${header}.${forgedPayload}.${signature}`)).toBe(
        false,
      );
      expect(payload).not.toBe(forgedPayload);
    });

    it('signs arbitrary claims with the current key, by method or over HTTP', async () => {
      const [key] = await publishedKeys(issuer);
      const claims = { iss: 'https://not-the-issuer.test', sub: 'usr_x', aud: ['skc_other'] };

      const token = await issuer.signJwt(claims);
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', typ: 'JWT', kid: key?.kid });
      expect(decodeJwt(token)).toEqual(claims);
      expect(await scalekit.validateAccessToken(token)).toBe(true);
      expect(await scalekit.validateAccessToken(token, { issuer: issuer.url })).toBe(false);

      const critical = await issuer.signJwt(claims, { crit: ['exp'] });
      expect(decodeProtectedHeader(critical)).toMatchObject({ kid: key?.kid, crit: ['exp'] });

      const overHttp = await control(issuer, 'sign', { payload: claims, header: { kid: 'snk_x' } });
      expect(overHttp.status).toBe(200);
      expect(decodeProtectedHeader(String(overHttp.body.token))).toMatchObject({ kid: 'snk_x' });
    });

    it.each(['PS256', 'RS512'])(
      'signs %s with the current RSA key when the header asks for it',
      async (alg) => {
        const [key] = await publishedKeys(issuer);
        const token = await issuer.signJwt({ sub: 'usr_x' }, { alg });
        const { kty, n, e } = key!;
        const { payload } = await jwtVerify(token, await importJWK({ kty, n, e }, alg), {
          algorithms: [alg],
        });
        expect(payload).toEqual({ sub: 'usr_x' });
      },
    );

    it('leaves out header members given as null', async () => {
      const token = await issuer.signJwt({ sub: 'usr_x' }, { kid: null } as never);
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', typ: 'JWT' });
    });
  });

  describe('client credentials', () => {
    it('issues an RS256 access token naming the client for its id and secret, through the SDK', async () => {
      const token = await scalekit.getClientAccessToken();
      const jwks = createRemoteJWKSet(new URL(`${issuer.url}/keys`));
      const { payload, protectedHeader } = await jwtVerify(token, jwks, {
        issuer: issuer.url,
        audience: issuer.clientId,
      });

      expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT' });
      expect(payload).toMatchObject({ sub: issuer.clientId, client_id: issuer.clientId });
      expect(payload.jti).toMatch(/^tkn_/);
      for (const claim of ['oid', 'roles', 'permissions', 'sid', 'scope']) {
        expect(payload).not.toHaveProperty(claim);
      }
      expect(await tokenRequest(issuer, { grant_type: 'client_credentials' })).toMatchObject({
        status: 200,
        body: { token_type: 'Bearer', expires_in: 86_400, access_token: expect.any(String) },
      });
    });

    it('answers a wrong client secret with 401 invalid_client', async () => {
      const wrong = await tokenRequest(issuer, {
        grant_type: 'client_credentials',
        client_secret: 'not-the-secret',
      });

      expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
      await expect(
        scalekit.generateClientToken(issuer.clientId, 'not-the-secret'),
      ).rejects.toThrow();
    });

    it('leaves user access tokens shaped as before', async () => {
      await scalekit.getClientAccessToken();
      const { accessToken } = await signIn(scalekit, 'member');

      expect(decodeJwt(accessToken)).toMatchObject({
        sub: 'usr_acme_member',
        oid: expect.stringMatching(/^org_acme/),
        roles: ['member'],
        scope: 'openid profile email offline_access',
        sid: expect.stringMatching(/^ses_/),
      });
    });
  });

  describe('clock skew control', () => {
    const dateOf = async (path: string) =>
      Date.parse((await fetch(`${issuer.url}${path}`)).headers.get('date') ?? '');

    it('shifts the HTTP Date header by the skew, by method or over HTTP, and only that', async () => {
      issuer.setDateSkew(-3600);
      const behind = await dateOf('/.well-known/openid-configuration');
      const { accessToken } = await signIn(scalekit, 'admin');
      expect(Math.abs(behind - (Date.now() - 3_600_000))).toBeLessThan(5_000);
      expect(Math.abs(Number(decodeJwt(accessToken).iat) * 1000 - Date.now())).toBeLessThan(5_000);

      expect(await control(issuer, 'date-skew', { seconds: 600 })).toMatchObject({ status: 200 });
      expect(Math.abs((await dateOf('/keys')) - (Date.now() + 600_000))).toBeLessThan(5_000);

      await control(issuer, 'date-skew', { seconds: 0 });
      expect(Math.abs((await dateOf('/keys')) - Date.now())).toBeLessThan(5_000);
    });

    it('refuses a skew that is not a whole number of seconds', async () => {
      expect(() => issuer.setDateSkew(0.5)).toThrow(TypeError);
      expect(await control(issuer, 'date-skew', { seconds: 'soon' })).toMatchObject({
        status: 400,
        body: { error: 'invalid_request' },
      });
    });
  });

  describe('access-token lifetime control', () => {
    it('issues access tokens with the lifetime set at run time, until they expire', async () => {
      issuer.setAccessTokenTtl(2);
      const { accessToken, expiresIn, refreshToken } = await signIn(scalekit, 'admin');
      const claims = decodeJwt(accessToken);

      expect(expiresIn).toBe(2);
      expect(Number(claims.exp) - Number(claims.iat)).toBe(2);
      expect(await scalekit.validateAccessToken(accessToken)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 3_100));
      expect(await scalekit.validateAccessToken(accessToken)).toBe(false);

      expect(await control(issuer, 'ttl', { seconds: 7 })).toMatchObject({ status: 200 });
      const refreshed = decodeJwt((await scalekit.refreshAccessToken(refreshToken)).accessToken);
      expect(Number(refreshed.exp) - Number(refreshed.iat)).toBe(7);
    });

    it('refuses a lifetime that is not a positive whole number of seconds', async () => {
      expect(() => issuer.setAccessTokenTtl(0)).toThrow(TypeError);
      expect(await control(issuer, 'ttl', { seconds: 1.5 })).toMatchObject({
        status: 400,
        body: { error: 'invalid_request' },
      });
    });
  });

  describe('request counters and faults', () => {
    it('counts requests per endpoint, by method and over HTTP, and resets them', async () => {
      issuer.resetCounts();
      await signIn(scalekit, 'admin');
      await fetch(`${issuer.url}/keys`);

      expect(issuer.counts()).toMatchObject({ authorize: 1, token: 1, keys: 1, logout: 0 });
      expect((await control(issuer, 'counts')).body).toEqual(issuer.counts());

      expect(await control(issuer, 'reset-counts', {})).toMatchObject({ status: 200 });
      expect(Object.values(issuer.counts()).every((count) => count === 0)).toBe(true);
    });

    it('answers 500 server_error from /keys and /oauth/token while an error fault is set', async () => {
      issuer.setFault('keys', 'error');
      await control(issuer, 'fault', { endpoint: 'token', mode: 'error' });

      const keys = await fetch(`${issuer.url}/keys`);
      expect(keys.status).toBe(500);
      expect(await keys.json()).toEqual({ error: 'server_error' });
      expect(
        await tokenRequest(issuer, { grant_type: 'refresh_token', refresh_token: 'x' }),
      ).toEqual({
        status: 500,
        body: { error: 'server_error' },
      });

      await control(issuer, 'fault', { endpoint: 'keys', mode: null });
      expect((await fetch(`${issuer.url}/keys`)).status).toBe(200);
    });

    it('hangs until the client gives up, and answers once the fault is cleared', async () => {
      const { accessToken } = await signIn(scalekit, 'admin');
      issuer.setFault('keys', 'hang');

      const impatient = new ScalekitClient(issuer.url, issuer.clientId, issuer.clientSecret, {
        timeoutMs: 300,
      });
      expect(await impatient.validateAccessToken(accessToken)).toBe(false);
      await expect(
        fetch(`${issuer.url}/keys`, { signal: AbortSignal.timeout(200) }),
      ).rejects.toThrow();

      const arrived = issuer.counts().keys + 1;
      const waiting = fetch(`${issuer.url}/keys`);
      // Hanging once counted: a request cleared before it arrived would test nothing.
      await vi.waitFor(() => expect(issuer.counts().keys).toBe(arrived));
      issuer.setFault('keys', null);
      expect((await waiting).status).toBe(200);
    });

    it('answers normally after the delay while a slow fault is set', async () => {
      await control(issuer, 'fault', { endpoint: 'keys', mode: 'slow', delayMs: 300 });

      const started = performance.now();
      const response = await fetch(`${issuer.url}/keys`);

      expect(response.status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    });

    it('refuses a fault for an unknown endpoint or without a delay for slow', async () => {
      expect(await control(issuer, 'fault', { endpoint: 'nowhere', mode: 'error' })).toMatchObject({
        status: 400,
      });
      expect(await control(issuer, 'fault', { endpoint: 'keys', mode: 'slow' })).toMatchObject({
        status: 400,
      });
    });
  });
});

describe('key rotation', () => {
  it('publishes the old and new keys and signs new tokens with the new kid', async () => {
    const { issuer, scalekit } = await issuerWithSdk();
    try {
      const before = await signIn(scalekit, 'admin');
      const [oldKey] = await publishedKeys(issuer);

      const { kid } = await issuer.rotateKeys();
      const keys = await publishedKeys(issuer);
      const after = await signIn(scalekit, 'admin');

      expect(kid).toMatch(/^snk_/);
      expect(keys.map((key) => key.kid)).toEqual([kid, oldKey?.kid]);
      expect(decodeProtectedHeader(after.accessToken).kid).toBe(kid);
      expect(decodeProtectedHeader(after.idToken).kid).toBe(kid);
      expect(decodeProtectedHeader(before.accessToken).kid).toBe(oldKey?.kid);

      const jwks = createRemoteJWKSet(new URL(`${issuer.url}/keys`));
      await expect(jwtVerify(before.accessToken, jwks)).resolves.toBeTruthy();
      await expect(jwtVerify(after.accessToken, jwks)).resolves.toBeTruthy();
      // Sessions and refresh tokens outlive the rotation.
      const refreshed = await scalekit.refreshAccessToken(before.refreshToken);
      expect(decodeProtectedHeader(refreshed.accessToken).kid).toBe(kid);

      const overHttp = await control(issuer, 'rotate-keys', {});
      expect(overHttp.body.kid).toMatch(/^snk_/);
      expect(await publishedKeys(issuer)).toHaveLength(3);
    } finally {
      await issuer.close();
    }
  });
});

describe('issuer options', () => {
  it('refuses an authorization request without PKCE when requirePkce is set', async () => {
    const issuer = await startIssuer({ redirectUris: [REDIRECT_URI], requirePkce: true });
    try {
      const scalekit = new ScalekitClient(issuer.url, issuer.clientId, issuer.clientSecret);

      const callback = await new IssuerBrowser().login(
        scalekit.getAuthorizationUrl(REDIRECT_URI, { state: 's' }),
        'admin',
      );

      expect(callback.searchParams.get('error')).toBe('invalid_request');
      expect(callback.searchParams.get('state')).toBe('s');
    } finally {
      await issuer.close();
    }
  });

  it('posts a back-channel logout token naming the session to backchannelLogoutUri', async () => {
    const logoutTokens: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        logoutTokens.push(new URLSearchParams(body).get('logout_token') ?? '');
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const issuer = await startIssuer({
      redirectUris: [REDIRECT_URI],
      postLogoutRedirectUris: [POST_LOGOUT_URI],
      backchannelLogoutUri: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/bcl`,
    });
    try {
      const scalekit = new ScalekitClient(issuer.url, issuer.clientId, issuer.clientSecret);
      const { idToken, accessToken, browser } = await signIn(scalekit, 'member');

      await browser.logout(
        scalekit.getLogoutUrl({ idTokenHint: idToken, postLogoutRedirectUri: POST_LOGOUT_URI }),
      );

      expect(logoutTokens).toHaveLength(1);
      expect(decodeJwt(logoutTokens[0] ?? '')).toMatchObject({
        iss: issuer.url,
        aud: issuer.clientId,
        sub: 'usr_acme_member',
        sid: decodeJwt(accessToken).sid,
        events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      });
    } finally {
      await issuer.close();
      receiver.close();
    }
  });
});

describe('shutting down', () => {
  it('closes promptly while a request hangs', async () => {
    const issuer = await startIssuer();
    issuer.setFault('token', 'hang');
    const hanging = fetch(`${issuer.url}/oauth/token`, { method: 'POST' }).catch(
      (error: unknown) => error,
    );
    // Hanging once counted (the count comes before the fault): a fixed pause could close the
    // issuer before the request arrived on a busy machine, and test nothing.
    await vi.waitFor(() => expect(issuer.counts().token).toBe(1));

    // Without releasing the hung request, close() would wait for it past the test timeout.
    await issuer.close();
    expect(await hanging).toBeInstanceOf(Error);
  });
});

describe('the global setup', () => {
  it('provides a running issuer with the test app URIs registered', async () => {
    const scalekit = new ScalekitClient(
      inject('issuerUrl'),
      inject('clientId'),
      inject('clientSecret'),
    );

    const { user } = await signIn(scalekit, 'other');

    expect(user.email).toBe('other@globex.test');
  });
});
