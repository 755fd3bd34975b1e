import { describe, expect, it } from 'vitest';
import {
  cookieName,
  cookieOptions,
  MAX_COOKIE_VALUE,
  readCookieValue,
  readSessionCookie,
  writeCookieValue,
  writeSessionCookie,
  type CookieOptions,
} from '@/lib/edge/session-cookies';

class Jar {
  readonly values = new Map<string, string>();
  readonly writes: Array<{ name: string; value: string; options: CookieOptions }> = [];
  get(name: string) {
    const value = this.values.get(name);
    return value === undefined ? undefined : { value };
  }
  set(name: string, value: string, options: CookieOptions) {
    this.writes.push({ name, value, options });
    if (options.maxAge === 0) this.values.delete(name);
    else this.values.set(name, value);
  }
}

const config = {
  secureCookies: false,
  sessionSecrets: ['session-secret-0123456789abcdefghij'],
  sessionMaxAgeSeconds: 3600,
};

describe('session cookie names and attributes', () => {
  it('uses __Host- names in secure mode, and __Secure- for the path-scoped refresh cookie', () => {
    const secure = { secureCookies: true };
    expect(cookieName('access', secure)).toBe('__Host-sk_access');
    expect(cookieName('id', secure)).toBe('__Host-sk_id');
    expect(cookieName('transaction', secure)).toBe('__Host-sk_txn');
    expect(cookieName('refresh', secure)).toBe('__Secure-sk_refresh');
    expect(cookieName('access', { secureCookies: false })).toBe('sk_access');
  });

  it('makes every cookie HttpOnly and SameSite=Lax, the refresh cookie scoped to its route', () => {
    const secure = { ...config, secureCookies: true };
    expect(cookieOptions('access', secure)).toEqual({
      httpOnly: true,
      sameSite: 'lax',
      secure: true,
      path: '/',
      maxAge: 3600,
    });
    expect(cookieOptions('refresh', secure).path).toBe('/api/refresh');
    expect(cookieOptions('transaction', secure).maxAge).toBe(600);
  });
});

describe('chunked cookies', () => {
  it('keeps a small value in one cookie', () => {
    const jar = new Jar();
    writeCookieValue(jar, 'c', 'small', cookieOptions('access', config));
    expect([...jar.values.keys()]).toEqual(['c']);
    expect(readCookieValue(jar, 'c')).toBe('small');
  });

  it('splits a large value into numbered chunks under the size limit and reassembles it', () => {
    const jar = new Jar();
    const value = 'v'.repeat(MAX_COOKIE_VALUE * 2 + 100);
    writeCookieValue(jar, 'c', value, cookieOptions('access', config));
    expect([...jar.values.keys()]).toEqual(['c.0', 'c.1', 'c.2']);
    for (const chunk of jar.values.values())
      expect(chunk.length).toBeLessThanOrEqual(MAX_COOKIE_VALUE);
    expect(readCookieValue(jar, 'c')).toBe(value);
  });

  it('rejects an incomplete or inconsistent chunk set', () => {
    const jar = new Jar();
    writeCookieValue(jar, 'c', 'v'.repeat(MAX_COOKIE_VALUE * 2), cookieOptions('access', config));
    const missing = new Jar();
    missing.values.set('c.0', jar.values.get('c.0')!);
    expect(readCookieValue(missing, 'c')).toBeNull();
    const mixed = new Jar();
    mixed.values.set('c.0', jar.values.get('c.0')!);
    mixed.values.set('c.1', `3~${'v'.repeat(10)}`);
    expect(readCookieValue(mixed, 'c')).toBeNull();
    const bogus = new Jar();
    bogus.values.set('c.0', '99~x');
    expect(readCookieValue(bogus, 'c')).toBeNull();
  });

  it('deletes stale chunks when a value shrinks back into one cookie', () => {
    const jar = new Jar();
    writeCookieValue(jar, 'c', 'v'.repeat(MAX_COOKIE_VALUE * 2), cookieOptions('access', config));
    writeCookieValue(jar, 'c', 'small', cookieOptions('access', config), jar);
    expect([...jar.values.keys()]).toEqual(['c']);
  });
});

describe('sealed session cookies', () => {
  it('stores a token sealed, never in the clear, and reads it back', async () => {
    const jar = new Jar();
    const token = `eyJhbGciOiJSUzI1NiJ9.${'p'.repeat(6000)}.sig`;
    await writeSessionCookie(jar, 'id', token, config);
    for (const value of jar.values.values()) expect(value).not.toContain('eyJhbGciOiJSUzI1NiJ9');
    expect(await readSessionCookie(jar, 'id', config)).toBe(token);
  });

  it('reads a tampered or foreign cookie as no session', async () => {
    const jar = new Jar();
    await writeSessionCookie(jar, 'access', 'token', config);
    jar.values.set('sk_access', `${jar.values.get('sk_access')!}x`);
    expect(await readSessionCookie(jar, 'access', config)).toBeNull();
    jar.values.set('sk_access', 'not-a-sealed-value');
    expect(await readSessionCookie(jar, 'access', config)).toBeNull();
  });
});
