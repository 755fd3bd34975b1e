import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthError } from '@/lib/edge/errors';
import type { AuthHooks, SignInEvent } from '@/lib/server/auth-hooks';
import { APP_URL, authorize, call, pathOf } from '../support/app';
import { loadAppInstance } from '../support/app-instance';
import { captureAuthLog, loggedFailure } from '../support/auth-log';
import { CookieJar } from '../support/cookie-jar';

/**
 * `lib/server/auth-hooks.ts` is the template's seam for the team's own code (empty by default).
 * These tests put hooks there as a team would, through vitest's module registry, and check what
 * the callback and sign-out do with them.
 */
async function appWithHooks(hooks: AuthHooks) {
  vi.doMock('@/lib/server/auth-hooks', () => ({ authHooks: hooks }));
  return loadAppInstance({});
}

afterEach(() => {
  vi.doUnmock('@/lib/server/auth-hooks');
});

const SESSION_COOKIE = /^sk_(access|refresh|id)=[^;]+/;

describe('sign-in and sign-out hooks', () => {
  it('hands afterSignIn the verified claims and profile before any cookie is set', async () => {
    const seen: SignInEvent[] = [];
    const app = await appWithHooks({ afterSignIn: (event) => void seen.push(event) });
    const jar = new CookieJar();
    // A sign-in this app forced: the only kind whose time the callback can vouch for.
    const { callbackUrl } = await authorize(app.login, jar, 'member', '?prompt=login');
    const done = await call(app.callback, pathOf(callbackUrl), { jar });
    expect(done.status).toBe(303);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.claims).toMatchObject({ sub: 'usr_acme_member', oid: 'org_acme0001' });
    expect(seen[0]!.user.email).toBe('member@acme.test');
    expect(Math.abs(seen[0]!.signedInAt! - Date.now())).toBeLessThan(10_000);
  });

  it('ends the sign-in with auth_hook_failed, and sets no session, when afterSignIn fails', async () => {
    const app = await appWithHooks({
      afterSignIn: () => {
        throw new Error('the database is down');
      },
    });
    const jar = new CookieJar();
    const { callbackUrl } = await authorize(app.login, jar, 'member');
    const { result: done, lines } = await captureAuthLog(() =>
      call(app.callback, pathOf(callbackUrl), { jar }),
    );
    // Our own words, never the hook's error message.
    expect(lines).toEqual([
      loggedFailure('auth_hook_failed', '/api/callback', 'afterSignIn threw'),
    ]);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${APP_URL}/auth/error?code=auth_hook_failed`);
    expect(done.headers.getSetCookie().filter((c) => SESSION_COOKIE.test(c))).toEqual([]);
    expect(jar.get('sk_access')).toBeUndefined();
  });

  it('answers access_denied when afterSignIn refuses the person', async () => {
    const app = await appWithHooks({
      afterSignIn: () => {
        throw new AuthError('access_denied', 'not allowed here');
      },
    });
    const jar = new CookieJar();
    const { callbackUrl } = await authorize(app.login, jar, 'member');
    const { result: done, lines } = await captureAuthLog(() =>
      call(app.callback, pathOf(callbackUrl), { jar }),
    );
    expect(lines).toEqual([
      loggedFailure('access_denied', '/api/callback', 'refused by afterSignIn'),
    ]);
    expect(done.headers.get('location')).toBe(`${APP_URL}/auth/error?code=access_denied`);
    expect(jar.get('sk_access')).toBeUndefined();
  });

  it('signs out even when beforeSignOut fails', async () => {
    const signedOut: unknown[] = [];
    const app = await appWithHooks({
      beforeSignOut: (event) => {
        signedOut.push(event.claims?.sub);
        throw new Error('audit log unreachable');
      },
    });
    const jar = new CookieJar();
    const { callbackUrl } = await authorize(app.login, jar, 'admin');
    await call(app.callback, pathOf(callbackUrl), { jar });
    expect(jar.get('sk_access')).toBeDefined();
    const { result: out, lines } = await captureAuthLog(() =>
      call(app.logoutPost, '/logout', { jar, method: 'POST', headers: { origin: APP_URL } }),
    );
    expect(out.status).toBe(303);
    expect(lines).toEqual([
      expect.objectContaining({ code: 'auth_hook_failed', route: '/logout' }),
    ]);
    expect(signedOut).toEqual(['usr_acme_admin']);
    expect(jar.get('sk_access')).toBeUndefined();
  });
});
