import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import { GET as callback } from '@/app/(auth)/api/callback/route';
import { GET as login } from '@/app/(auth)/login/route';
import { unseal } from '@/lib/edge/seal';
import { APP_URL, authorize, call, pathOf, type CallOptions } from '../../../support/app';
import { captureAuthLog } from '../../../support/auth-log';
import { CookieJar } from '../../../support/cookie-jar';
import { issuerControl } from '../../../support/issuer-control';

const secrets = [process.env.SESSION_COOKIE_SECRET!];

const pendingTransactions = (jar: CookieJar) =>
  [...jar.cookies.values()].filter((c) => c.name.startsWith('sk_txn_'));

/** Calls /login, expecting it to log one failure: `code` with `detail` (none when not given). */
async function refused(path: string, code: string, detail?: string, options: CallOptions = {}) {
  const { result, lines } = await captureAuthLog(() => call(login, path, options));
  expect(lines).toEqual([expect.objectContaining({ code, route: '/login', kind: 'document' })]);
  expect(lines[0]!.detail).toBe(detail);
  return result;
}

describe('GET /login', () => {
  it('redirects to the hosted login with state, nonce, PKCE S256 and offline_access', async () => {
    const jar = new CookieJar();
    const response = await call(
      login,
      '/login?organization_id=org_123&login_hint=a%40b.co&prompt=login',
      { jar },
    );
    const url = new URL(response.headers.get('location')!);
    expect(`${url.origin}${url.pathname}`).toBe(`${inject('issuerUrl')}/oauth/authorize`);
    const params = url.searchParams;
    expect(params.get('redirect_uri')).toBe(`${APP_URL}/api/callback`);
    expect(params.get('scope')).toBe('openid profile email offline_access');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(params.get('state')).toMatch(/^[\w-]{43}$/); // 32 random bytes
    expect(params.get('organization_id')).toBe('org_123');
    expect(params.get('login_hint')).toBe('a@b.co');
    expect(params.get('prompt')).toBe('login');
    const [cookie] = pendingTransactions(jar);
    expect(cookie!.httpOnly).toBe(true);
    expect(cookie!.maxAge).toBe(600);
    // The transaction keeps what the callback checks: this state and nonce, and the verifier
    // whose S256 hash went to Scalekit.
    const transaction = JSON.parse((await unseal(cookie!.value, 'transaction', secrets))!);
    expect(transaction.state).toBe(params.get('state'));
    expect(params.get('nonce')).toMatch(/^[\w-]{32}$/); // 24 random bytes
    expect(transaction.nonce).toBe(params.get('nonce'));
    expect(createHash('sha256').update(transaction.codeVerifier).digest('base64url')).toBe(
      params.get('code_challenge'),
    );
  });

  it.each([
    'organization_id=evil',
    'connection_id=conn_1&connection_id=conn_2',
    'prompt=consent%20login',
    'login_hint=%3Cscript%3E',
    'domain_hint=not_a_domain',
    'provider=Google!',
  ])('refuses a malformed authorize option (%s)', async (query) => {
    const response = await refused(
      `/login?${query}`,
      'invalid_request',
      'malformed authorize parameter',
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${APP_URL}/auth/error?code=invalid_request`);
  });

  it('shows the error page for /login?error=<code> instead of going back to Scalekit', async () => {
    const response = await refused('/login?error=access_denied', 'access_denied');
    expect(response.headers.get('location')).toBe(`${APP_URL}/auth/error?code=access_denied`);
    const unknown = await refused('/login?error=%3Cscript%3E', 'provider_error');
    expect(unknown.headers.get('location')).toBe(`${APP_URL}/auth/error?code=provider_error`);
  });

  it('keeps one transaction per tab, at most three, dropping the oldest', async () => {
    const jar = new CookieJar();
    const states: string[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await call(login, '/login', { jar });
      states.push(new URL(response.headers.get('location')!).searchParams.get('state')!);
    }
    const pending = pendingTransactions(jar);
    expect(pending).toHaveLength(3);
    const opened = await Promise.all(
      pending.map(async (c) => JSON.parse((await unseal(c.value, 'transaction', secrets))!).state),
    );
    expect(opened.sort()).toEqual(states.slice(1).sort());
  });

  it('lets two tabs sign in at once without clobbering each other', async () => {
    const jar = new CookieJar();
    const first = await authorize(login, jar, 'admin');
    const second = await authorize(login, jar, 'member');
    const done = await call(callback, pathOf(second.callbackUrl), { jar });
    expect(done.headers.get('location')).toBe(`${APP_URL}/dashboard`);
    const alsoDone = await call(callback, pathOf(first.callbackUrl), { jar });
    expect(alsoDone.headers.get('location')).toBe(`${APP_URL}/dashboard`);
  });
});

describe('GET /login as the initiate-login URL', () => {
  const authorizeParams = (response: Response) =>
    new URL(response.headers.get('location')!).searchParams;

  it('initiate login: forwards invitation parameters it does not own to the authorize URL unchanged', async () => {
    // Scalekit adds "invitation parameters" (names unpublished) and asks apps to pass them on.
    const query = 'invitation_token=inv%2Babc%3D&lang=de&lang=en&organization_id=org_acme0001';
    const params = authorizeParams(await call(login, `/login?${query}`));
    expect(params.get('invitation_token')).toBe('inv+abc=');
    expect(params.getAll('lang')).toEqual(['de', 'en']);
    expect(params.get('organization_id')).toBe('org_acme0001');
  });

  it('initiate login: never forwards what the app owns or reads itself, whatever the query says', async () => {
    const owned = {
      state: 'attacker-state',
      nonce: 'attacker-nonce',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'plain',
      redirect_uri: 'https://evil.example/cb',
      client_id: 'skc_other',
      response_type: 'token',
      scope: 'openid',
      returnTo: '/dashboard/admin',
    };
    const response = await call(login, `/login?${new URLSearchParams(owned)}`);
    const params = authorizeParams(response);
    for (const name of Object.keys(owned)) {
      expect(params.getAll(name).length, name).toBeLessThanOrEqual(1);
    }
    expect(params.get('state')).not.toBe('attacker-state');
    expect(params.get('nonce')).not.toBe('attacker-nonce');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('redirect_uri')).toBe(`${APP_URL}/api/callback`);
    expect(params.get('client_id')).toBe(inject('clientId'));
    expect(params.get('response_type')).toBe('code');
    expect(params.get('scope')).toBe('openid profile email offline_access');
    expect(params.has('returnTo')).toBe(false);
  });

  it('initiate login: refuses a forwarded query too long to carry', async () => {
    const response = await refused(
      `/login?invitation_token=${'a'.repeat(3000)}`,
      'invalid_request',
      'too many forwarded parameters',
    );
    expect(response.headers.get('location')).toBe(`${APP_URL}/auth/error?code=invalid_request`);
  });

  it('initiate login: turns error and error_description into a coded page, never reflected', async () => {
    const response = await refused(
      '/login?error=server_error&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E',
      'provider_error',
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${APP_URL}/auth/error?code=provider_error`);
  });
});

describe('GET /login?idp_initiated_login=<JWT> (initiate login from the identity provider)', () => {
  const control = issuerControl(inject('issuerUrl'));
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (overrides: JWTPayload = {}): JWTPayload => ({
    iss: inject('issuerUrl'),
    aud: [inject('clientId')],
    exp: now() + 300,
    iat: now(),
    connection_id: 'conn_123',
    organization_id: 'org_acme0001',
    login_hint: 'ada@acme.test',
    relay_state: '/dashboard/admin?tab=2',
    ...overrides,
  });
  const start = async (token: string, jar = new CookieJar()) =>
    call(login, `/login?idp_initiated_login=${token}`, { jar });

  it('starts an ordinary PKCE sign-in for the signed connection and organization', async () => {
    const jar = new CookieJar();
    const response = await start(await control.sign(claims()), jar);
    expect(response.status).toBe(307);
    const params = new URL(response.headers.get('location')!).searchParams;
    expect(params.get('connection_id')).toBe('conn_123');
    expect(params.get('organization_id')).toBe('org_acme0001');
    expect(params.get('login_hint')).toBe('ada@acme.test');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.has('idp_initiated_login')).toBe(false);
    const [cookie] = pendingTransactions(jar);
    const transaction = JSON.parse((await unseal(cookie!.value, 'transaction', secrets))!);
    expect(transaction.returnTo).toBe('/dashboard/admin?tab=2');
  });

  it('routes by the signed claims only, never by the query beside them', async () => {
    const token = await control.sign(claims());
    const response = await call(
      login,
      `/login?idp_initiated_login=${token}&organization_id=org_evil&returnTo=%2Fdashboard%2Fother`,
    );
    const params = new URL(response.headers.get('location')!).searchParams;
    expect(params.getAll('organization_id')).toEqual(['org_acme0001']);
  });

  it('accepts a token without aud (Scalekit does not document one)', async () => {
    const response = await start(await control.sign(claims({ aud: undefined })));
    expect(response.status).toBe(307);
  });

  it('keeps only a same-origin relay_state as returnTo', async () => {
    const jar = new CookieJar();
    await start(await control.sign(claims({ relay_state: 'https://evil.example/' })), jar);
    const [cookie] = pendingTransactions(jar);
    expect(JSON.parse((await unseal(cookie!.value, 'transaction', secrets))!).returnTo).toBe(
      '/dashboard',
    );
  });

  const UNVERIFIED = 'IdP-initiated login token failed verification';
  it.each([
    ['another issuer', () => control.sign(claims({ iss: 'https://evil.example' })), UNVERIFIED],
    [
      'another audience',
      () => control.sign(claims({ aud: ['skc_other'] })),
      'IdP-initiated login token was issued to another audience',
    ],
    [
      'an expired token',
      () => control.sign(claims({ exp: now() - 60, iat: now() - 360 })),
      'IdP-initiated login token has expired',
    ],
    ['no exp', () => control.sign(claims({ exp: undefined })), UNVERIFIED],
    [
      'a malformed organization_id',
      () => control.sign(claims({ organization_id: 'evil' })),
      'malformed authorize parameter',
    ],
    [
      'a non-string connection_id',
      () => control.sign(claims({ connection_id: 7 })),
      'IdP-initiated login "connection_id" is not a string',
    ],
    [
      'a broken signature',
      async () => {
        const token = await control.sign(claims());
        return `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
      },
      UNVERIFIED,
    ],
  ])('refuses %s with invalid_request, starting no sign-in', async (_, make, detail) => {
    const jar = new CookieJar();
    const token = await make();
    const response = await refused(
      `/login?idp_initiated_login=${token}`,
      'invalid_request',
      detail,
      {
        jar,
      },
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${APP_URL}/auth/error?code=invalid_request`);
    expect(pendingTransactions(jar)).toHaveLength(0);
  });
});

describe('GET /login with cookies blocked', () => {
  const crossSite = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' };

  it('checks once that a cookie-less arrival from elsewhere keeps cookies, then goes on', async () => {
    const jar = new CookieJar();
    const probe = await call(login, '/login?invitation_token=abc', { jar, headers: crossSite });
    expect(probe.status).toBe(303);
    const again = new URL(probe.headers.get('location')!);
    expect(`${again.origin}${again.pathname}`).toBe(`${APP_URL}/login`);
    expect(again.searchParams.get('invitation_token')).toBe('abc');
    expect(jar.get('sk_cookie_check')).toBeDefined();
    const onward = await call(login, pathOf(again), { jar, headers: crossSite });
    expect(onward.status).toBe(307);
    const params = new URL(onward.headers.get('location')!).searchParams;
    expect(params.get('invitation_token')).toBe('abc');
    expect(params.has('cookie_check')).toBe(false);
    expect(jar.get('sk_cookie_check')).toBeUndefined();
  });

  it('shows cookies_disabled instead of looping when the probe cookie does not come back', async () => {
    const probe = await call(login, '/login', { headers: crossSite });
    const again = new URL(probe.headers.get('location')!);
    // A browser that blocks cookies sends nothing back.
    const response = await refused(
      pathOf(again),
      'cookies_disabled',
      'the cookie check came back empty',
      { headers: crossSite },
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${APP_URL}/auth/error?code=cookies_disabled`);
  });

  it('asks nothing of a same-origin sign-in, or of a browser that already holds a cookie', async () => {
    const sameOrigin = await call(login, '/login', {
      headers: { 'sec-fetch-site': 'same-origin' },
    });
    expect(sameOrigin.status).toBe(307);
    const known = await call(login, '/login', { headers: { ...crossSite, cookie: 'unrelated=1' } });
    expect(known.status).toBe(307);
  });
});
