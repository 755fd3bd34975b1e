import { createHash } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { GET as callback } from '@/app/(auth)/api/callback/route';
import { GET as login } from '@/app/(auth)/login/route';
import { unseal } from '@/lib/edge/seal';
import { APP_URL, authorize, call, pathOf } from '../../../support/app';
import { CookieJar } from '../../../support/cookie-jar';

const secrets = [process.env.SESSION_COOKIE_SECRET!];

const pendingTransactions = (jar: CookieJar) =>
  [...jar.cookies.values()].filter((c) => c.name.startsWith('sk_txn_'));

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
