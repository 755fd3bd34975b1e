import { NextRequest, NextResponse } from 'next/server';
import { beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { protectThen, sessionPaths } from '@/lib/edge/compose';
import { mintSession } from '../../kit/mint-session';
import { standInSigner } from '../../kit/signers';

const APP = 'http://127.0.0.1:3999';
const DOCUMENT = { 'sec-fetch-mode': 'navigate', accept: 'text/html' };
const PATTERNS = ['/:locale(en|de)/dashboard/:path*', '/api/protected/:path*'];

/** An app's own middleware: sets a header and rewrites, as an i18n middleware would. */
function appMiddleware(request: NextRequest) {
  const response = NextResponse.rewrite(new URL(`/internal${request.nextUrl.pathname}`, APP));
  response.headers.set('x-app-middleware', 'ran');
  return response;
}

describe('sessionPaths', () => {
  const needsSession = sessionPaths(PATTERNS);

  it.each([
    ['/en/dashboard', true],
    ['/de/dashboard/', true],
    ['/de/dashboard/admin/users', true],
    ['/api/protected/me', true],
    ['/fr/dashboard', false],
    ['/en', false],
    ['/en/dashboards', false],
    ['/dashboard', false],
    ['/api/protectedx', false],
  ] as const)('%s needs a session: %s', (path, expected) => {
    expect(needsSession(path)).toBe(expected);
  });

  it('refuses a pattern it cannot read exactly, instead of protecting less', () => {
    expect(() => sessionPaths(['/((?!api).*)'])).toThrow(TypeError);
    expect(() => sessionPaths(['dashboard'])).toThrow(TypeError);
  });
});

describe('protectThen', () => {
  let cookie: string;
  const warned = vi.spyOn(console, 'warn').mockImplementation(() => {});

  beforeAll(async () => {
    const signer = standInSigner(inject('issuerUrl'), inject('clientId'));
    const session = await mintSession({ signer, secret: process.env.SESSION_COOKIE_SECRET! });
    cookie = session.cookieHeader('/');
  });

  it('sends a signed-out visitor of a localized protected page to sign-in and back to the same locale, without running the app middleware', async () => {
    const app = vi.fn(appMiddleware);
    const middleware = protectThen(sessionPaths(PATTERNS), app);
    const response = await middleware(
      new NextRequest(`${APP}/de/dashboard?tab=2`, { headers: DOCUMENT }),
    );
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location')!);
    expect(location.pathname).toBe('/login');
    expect(location.searchParams.get('returnTo')).toBe('/de/dashboard?tab=2');
    expect(app).not.toHaveBeenCalled();
    expect(warned).toHaveBeenCalledTimes(1);
  });

  it('runs the app middleware after a valid session, and keeps its answer private', async () => {
    const middleware = protectThen(sessionPaths(PATTERNS), appMiddleware);
    const response = await middleware(
      new NextRequest(`${APP}/en/dashboard`, { headers: { ...DOCUMENT, cookie } }),
    );
    expect(response.headers.get('x-app-middleware')).toBe('ran');
    expect(response.headers.get('x-middleware-rewrite')).toBe(`${APP}/internal/en/dashboard`);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.headers.get('vary')).toContain('Cookie');
  });

  it('leaves a public path to the app middleware alone: no session needed, its answer untouched', async () => {
    const middleware = protectThen(sessionPaths(PATTERNS), appMiddleware);
    const response = await middleware(new NextRequest(`${APP}/de`, { headers: DOCUMENT }));
    expect(response.headers.get('x-app-middleware')).toBe('ran');
    expect(response.headers.get('cache-control')).toBeNull();
  });
});
