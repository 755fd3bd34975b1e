import { SignJWT, generateKeyPair } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import { GET as callback } from '@/app/api/callback/route';
import { GET as login } from '@/app/login/route';
import { seal, unseal } from '@/lib/edge/seal';
import { verifyIdToken } from '@/lib/server/id-token';
import { AuthError } from '@/lib/edge/errors';
import { APP_URL, authorize, call, pathOf } from '../support/app';
import { CookieJar } from '../support/cookie-jar';
import { issuerControl } from '../support/issuer-control';

const secrets = [process.env.SESSION_COOKIE_SECRET!];
const control = issuerControl(inject('issuerUrl'));
const SESSION_COOKIES = ['sk_access', 'sk_id', 'sk_refresh'];

function expectCodedFailure(response: Response, code: string) {
  expect(response.status).toBe(303);
  expect(response.headers.get('location')).toBe(`${APP_URL}/auth/error?code=${code}`);
  const set = response.headers.getSetCookie().map((c) => c.split('=')[0]);
  for (const name of SESSION_COOKIES) expect(set).not.toContain(name);
}

function transactionCookie(jar: CookieJar) {
  return [...jar.cookies.values()].find((c) => c.name.startsWith('sk_txn_'))!;
}

/** Rewrites the sealed login transaction in the jar, as only someone with the secret could. */
async function editTransaction(jar: CookieJar, edit: (t: Record<string, unknown>) => void) {
  const cookie = transactionCookie(jar);
  const transaction = JSON.parse((await unseal(cookie.value, 'transaction', secrets))!);
  edit(transaction);
  cookie.value = await seal(JSON.stringify(transaction), 'transaction', secrets);
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
    expect(params.get('nonce')).toBeTruthy();
    expect(params.get('organization_id')).toBe('org_123');
    expect(params.get('login_hint')).toBe('a@b.co');
    expect(params.get('prompt')).toBe('login');
    const cookie = transactionCookie(jar);
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.maxAge).toBe(600);
  });

  it.each([
    'organization_id=evil',
    'connection_id=conn_1&connection_id=conn_2',
    'prompt=consent%20login',
    'login_hint=%3Cscript%3E',
    'domain_hint=not_a_domain',
    'provider=Google!',
  ])('refuses a malformed authorize option (%s)', async (query) => {
    const response = await call(login, `/login?${query}`);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${APP_URL}/auth/error?code=invalid_request`);
  });

  it('shows the error page for /login?error=<code> instead of going back to Scalekit', async () => {
    const response = await call(login, '/login?error=access_denied');
    expect(response.headers.get('location')).toBe(`${APP_URL}/auth/error?code=access_denied`);
    const unknown = await call(login, '/login?error=%3Cscript%3E');
    expect(unknown.headers.get('location')).toBe(`${APP_URL}/auth/error?code=provider_error`);
  });

  it('keeps one transaction per tab, at most three, dropping the oldest', async () => {
    const jar = new CookieJar();
    const states: string[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await call(login, '/login', { jar });
      states.push(new URL(response.headers.get('location')!).searchParams.get('state')!);
    }
    const pending = [...jar.cookies.values()].filter((c) => c.name.startsWith('sk_txn_'));
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

describe('GET /api/callback refuses', () => {
  it('a state that does not match the transaction', async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await authorize(login, jar);
    callbackUrl.searchParams.set('state', 'forged-state-value');
    expectCodedFailure(await call(callback, pathOf(callbackUrl), { jar }), 'state_mismatch');
  });

  it('a callback without its transaction cookie', async () => {
    const { callbackUrl } = await authorize(login, new CookieJar());
    expectCodedFailure(
      await call(callback, pathOf(callbackUrl), { jar: new CookieJar() }),
      'transaction_missing',
    );
  });

  it('a callback with no state at all', async () => {
    const jar = new CookieJar();
    await authorize(login, jar);
    expectCodedFailure(await call(callback, '/api/callback?code=abc', { jar }), 'state_mismatch');
  });

  it('a replayed code, and deletes the transaction cookie on every outcome', async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await authorize(login, jar);
    const captured = jar.clone();
    const first = await call(callback, pathOf(callbackUrl), { jar });
    expect(first.headers.get('location')).toBe(`${APP_URL}/dashboard`);
    const replay = await call(callback, pathOf(callbackUrl), { jar: captured });
    expectCodedFailure(replay, 'exchange_failed');
    const deleted = replay.headers.getSetCookie().find((c) => c.startsWith('sk_txn_'));
    expect(deleted).toMatch(/Max-Age=0/);
  });

  it('a wrong PKCE verifier', async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await authorize(login, jar);
    await editTransaction(jar, (t) => {
      t.codeVerifier = 'x'.repeat(43);
    });
    expectCodedFailure(await call(callback, pathOf(callbackUrl), { jar }), 'exchange_failed');
  });

  it('an ID token whose nonce does not match', async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await authorize(login, jar);
    await editTransaction(jar, (t) => {
      t.nonce = 'another-nonce';
    });
    expectCodedFailure(await call(callback, pathOf(callbackUrl), { jar }), 'id_token_invalid');
  });

  it('an expired transaction', async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await authorize(login, jar);
    await editTransaction(jar, (t) => {
      t.createdAt = Date.now() - 11 * 60_000;
    });
    expectCodedFailure(await call(callback, pathOf(callbackUrl), { jar }), 'state_mismatch');
  });

  it('a denied sign-in, without reflecting the provider text', async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await authorize(login, jar, 'denied');
    expect(callbackUrl.searchParams.get('error')).toBe('access_denied');
    expectCodedFailure(await call(callback, pathOf(callbackUrl), { jar }), 'access_denied');
  });

  it('a provider error with markup in error_description, showing only a code', async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await authorize(login, jar);
    const forged = new URL('/api/callback', APP_URL);
    forged.searchParams.set('error', 'server_error');
    forged.searchParams.set('error_description', '<script>alert(document.cookie)</script>');
    forged.searchParams.set('state', callbackUrl.searchParams.get('state')!);
    const response = await call(callback, pathOf(forged), { jar });
    expectCodedFailure(response, 'provider_error');
    expect(response.headers.get('location')).not.toContain('script');
    expect(await response.text()).not.toContain('script');
  });

  it('a callback without a code', async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await authorize(login, jar);
    callbackUrl.searchParams.delete('code');
    expectCodedFailure(await call(callback, pathOf(callbackUrl), { jar }), 'invalid_request');
  });
});

describe('verifyIdToken', () => {
  const claims = () => ({
    iss: inject('issuerUrl'),
    aud: [inject('clientId')],
    sub: 'usr_1',
    nonce: 'n1',
    iat: Math.floor(Date.now() / 1000),
    exp: Math.floor(Date.now() / 1000) + 60,
    email: 'a@b.co',
  });
  const codeOf = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: unknown) => (e instanceof AuthError ? e.code : String(e)),
    );

  it('accepts a genuine ID token with the stored nonce', async () => {
    const profile = await verifyIdToken(await control.sign(claims()), { nonce: 'n1' });
    expect(profile).toMatchObject({ sub: 'usr_1', email: 'a@b.co' });
  });

  it('refuses an ID token signed by another key', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'RS256', kid: 'snk_x' })
      .sign(privateKey);
    expect(await codeOf(verifyIdToken(forged, { nonce: 'n1' }))).toBe('id_token_invalid');
  });

  it.each([
    ['another nonce', {}, 'n2'],
    ['no nonce', { nonce: undefined }, 'n1'],
    ['another audience', { aud: ['skc_other'] }, 'n1'],
    ['another issuer', { iss: 'https://evil.example' }, 'n1'],
    ['an expired token', { exp: Math.floor(Date.now() / 1000) - 60 }, 'n1'],
  ])('refuses %s', async (_, override, nonce) => {
    const token = await control.sign({ ...claims(), ...override });
    expect(await codeOf(verifyIdToken(token, { nonce }))).toBe('id_token_invalid');
  });
});
