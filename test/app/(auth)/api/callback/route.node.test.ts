import { decodeJwt } from 'jose';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { GET as callback } from '@/app/(auth)/api/callback/route';
import { GET as login } from '@/app/(auth)/login/route';
import { seal, unseal } from '@/lib/edge/seal';
import { APP_URL, authorize, call, pathOf, signIn } from '../../../../support/app';
import { CookieJar } from '../../../../support/cookie-jar';
import { captureAuthLog } from '../../../../support/auth-log';
import { issuerControl } from '../../../../support/issuer-control';
import { SESSION_COOKIES, sessionTokens } from '../../../../support/session-jar';

const secrets = [process.env.SESSION_COOKIE_SECRET!];

function expectCodedFailure(response: Response, code: string) {
  expect(response.status).toBe(303);
  expect(response.headers.get('location')).toBe(`${APP_URL}/auth/error?code=${code}`);
  const set = response.headers.getSetCookie().map((c) => c.split('=')[0]);
  for (const name of SESSION_COOKIES) expect(set).not.toContain(name);
}

/** Calls the callback, expecting that refusal, logged once with `detail` (none when not given). */
async function expectRefused(code: string, path: string, jar: CookieJar, detail?: string) {
  const { result, lines } = await captureAuthLog(() => call(callback, path, { jar }));
  expectCodedFailure(result, code);
  expect(lines).toEqual([expect.objectContaining({ code, route: '/api/callback' })]);
  expect(lines[0]!.detail).toBe(detail);
  return result;
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

describe('GET /api/callback', () => {
  it('signs in and lands on returnTo with sealed, HttpOnly, SameSite=Lax cookies', async () => {
    const { jar, response } = await signIn(
      { login, callback },
      'admin',
      '?returnTo=%2Fdashboard%2Fadmin%3Ftab%3D2',
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${APP_URL}/dashboard/admin?tab=2`);

    for (const name of SESSION_COOKIES) {
      const cookie = jar.get(name);
      expect(cookie, name).toBeDefined();
      expect(cookie!.httpOnly).toBe(true);
      expect(cookie!.sameSite).toBe('lax');
      expect(cookie!.secure).toBe(false);
      expect(cookie!.path).toBe(name === 'sk_refresh' ? '/api/refresh' : '/');
      // A sealed value is a compact JWE (dir, A256GCM), never the token itself.
      expect(cookie!.value.split('.')).toHaveLength(5);
    }
    const { accessToken, refreshToken, idToken } = await sessionTokens(jar);
    for (const cookie of jar.cookies.values()) {
      for (const token of [accessToken, refreshToken, idToken])
        expect(cookie.value).not.toContain(token);
    }
    expect(decodeJwt(idToken).email).toBe('admin@acme.test');
    expect(decodeJwt(accessToken).roles).toEqual(['admin']);
    expect([...jar.cookies.values()].some((c) => c.name.startsWith('sk_txn'))).toBe(false);
  });
});

describe('GET /api/callback refuses', () => {
  it('a state that does not match the transaction', async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await authorize(login, jar);
    callbackUrl.searchParams.set('state', 'forged-state-value');
    await expectRefused('state_mismatch', pathOf(callbackUrl), jar);
  });

  it('a callback without its transaction cookie', async () => {
    const { callbackUrl } = await authorize(login, new CookieJar());
    await expectRefused('transaction_missing', pathOf(callbackUrl), new CookieJar());
  });

  it('a callback with no state at all', async () => {
    const jar = new CookieJar();
    await authorize(login, jar);
    await expectRefused('state_mismatch', '/api/callback?code=abc', jar);
  });

  it('a replayed code, and deletes the transaction cookie on every outcome', async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await authorize(login, jar);
    const captured = jar.clone();
    const first = await call(callback, pathOf(callbackUrl), { jar });
    expect(first.headers.get('location')).toBe(`${APP_URL}/dashboard`);
    const replay = await expectRefused(
      'exchange_failed',
      pathOf(callbackUrl),
      captured,
      'token endpoint: status',
    );
    const deleted = replay.headers.getSetCookie().find((c) => c.startsWith('sk_txn_'));
    expect(deleted).toMatch(/Max-Age=0/);
  });

  it('a wrong PKCE verifier', async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await authorize(login, jar);
    await editTransaction(jar, (t) => {
      t.codeVerifier = 'x'.repeat(43);
    });
    await expectRefused('exchange_failed', pathOf(callbackUrl), jar, 'token endpoint: status');
  });

  it('an ID token whose nonce does not match', async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await authorize(login, jar);
    await editTransaction(jar, (t) => {
      t.nonce = 'another-nonce';
    });
    await expectRefused(
      'id_token_invalid',
      pathOf(callbackUrl),
      jar,
      'ID token nonce does not match',
    );
  });

  it('an expired transaction', async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await authorize(login, jar);
    await editTransaction(jar, (t) => {
      t.createdAt = Date.now() - 11 * 60_000;
    });
    await expectRefused('state_mismatch', pathOf(callbackUrl), jar);
  });

  it('a denied sign-in, without reflecting the provider text', async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await authorize(login, jar, 'denied');
    expect(callbackUrl.searchParams.get('error')).toBe('access_denied');
    await expectRefused('access_denied', pathOf(callbackUrl), jar);
  });

  it('a provider error with markup in error_description, showing only a code', async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await authorize(login, jar);
    const forged = new URL('/api/callback', APP_URL);
    forged.searchParams.set('error', 'server_error');
    forged.searchParams.set('error_description', '<script>alert(document.cookie)</script>');
    forged.searchParams.set('state', callbackUrl.searchParams.get('state')!);
    const response = await expectRefused('provider_error', pathOf(forged), jar);
    expect(response.headers.get('location')).not.toContain('script');
    expect(await response.text()).not.toContain('script');
  });

  it('a callback without a code', async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await authorize(login, jar);
    callbackUrl.searchParams.delete('code');
    await expectRefused('invalid_request', pathOf(callbackUrl), jar, 'callback without a code');
  });
});

describe('GET /api/callback with tokens as Scalekit may shape them', () => {
  const control = issuerControl(inject('issuerUrl'));
  afterEach(async () => {
    vi.useRealTimers();
    await control.setTokenMode({});
    await control.setAccessTokenTtl(300);
  });

  it('signs in with an ID token without nonce (the code is bound by PKCE S256)', async () => {
    await control.setTokenMode({ omitNonce: true });
    // The notice that nonce is missing is logged once per process; another test may have seen it.
    const { result } = await captureAuthLog(() => signIn({ login, callback }));
    expect(result.response.headers.get('location')).toBe(`${APP_URL}/dashboard`);
    expect(decodeJwt((await sessionTokens(result.jar)).idToken).nonce).toBeUndefined();
  });

  it('signs in with null claims, read as absent (no roles, no permissions)', async () => {
    await control.setTokenMode({ nullClaims: true });
    const { jar, response } = await signIn({ login, callback });
    expect(response.headers.get('location')).toBe(`${APP_URL}/dashboard`);
    const claims = decodeJwt((await sessionTokens(jar)).accessToken);
    expect(claims.roles).toBeNull();
    expect(claims.permissions).toBeNull();
  });

  it('refuses a Modular SSO token with full_stack_auth_required, setting no session', async () => {
    await control.setTokenMode({ modularSso: true });
    const jar = new CookieJar();
    const { callbackUrl } = await authorize(login, jar);
    const { result, lines } = await captureAuthLog(() =>
      call(callback, pathOf(callbackUrl), { jar }),
    );
    expectCodedFailure(result, 'full_stack_auth_required');
    expect(lines).toEqual([
      expect.objectContaining({ code: 'full_stack_auth_required', route: '/api/callback' }),
    ]);
  });

  it('points at the server clock when the new access token has already expired on arrival', async () => {
    await control.setAccessTokenTtl(30);
    const jar = new CookieJar();
    const { callbackUrl } = await authorize(login, jar);
    // This server's clock a minute ahead of Scalekit's: the 30-second token is past its 5 s grace.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 60_000 });
    const { result, lines } = await captureAuthLog(() =>
      call(callback, pathOf(callbackUrl), { jar }),
    );
    expectCodedFailure(result, 'clock_skew');
    expect(lines).toEqual([expect.objectContaining({ code: 'clock_skew' })]);
  });

  it('sends an initiate-login arrival (no state, no code) on to /login with its query', async () => {
    const response = await call(callback, '/api/callback?invitation_token=abc');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${APP_URL}/login?invitation_token=abc`);
  });
});
