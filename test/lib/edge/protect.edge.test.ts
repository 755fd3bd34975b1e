import fc from 'fast-check';
import { NextRequest } from 'next/server';
import { afterEach, beforeAll, describe, expect, inject, it, onTestFinished, vi } from 'vitest';
import { protect } from '@/lib/edge/protect';
import { seal } from '@/lib/edge/seal';
import { mintSession } from '../../kit/mint-session';
import { standInSigner } from '../../kit/signers';
import { captureAuthLog } from '../../support/auth-log';
import { issuerControl } from '../../support/issuer-control';
import { accessTokenClaims } from '../../support/tokens';

const control = issuerControl(inject('issuerUrl'));
const APP = 'http://127.0.0.1:3999';
const secrets = [process.env.SESSION_COOKIE_SECRET!];

const DOCUMENT = {
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
  accept: 'text/html',
};
const RSC = { 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty', accept: '*/*', 'next-url': '/' };
const FETCH = { 'sec-fetch-mode': 'cors', accept: '*/*' };
const ACTION = { 'next-action': 'abc123', accept: 'text/x-component', 'sec-fetch-mode': 'cors' };

const now = () => Math.floor(Date.now() / 1000);

async function sessionCookie(claims = accessTokenClaims()): Promise<string> {
  return `sk_access=${await seal(await control.sign(claims), 'access', secrets)}`;
}

function request(path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new NextRequest(`${APP}${path}`, { method, headers });
}

/** True when the answer is NextResponse.next(): Next goes on to the page or route. */
function passed(response: Response): boolean {
  return response.headers.get('x-middleware-next') === '1';
}

/** The line the middleware logs for an expired access token on `route`. */
function expiredLine(route: string, kind: string) {
  return expect.objectContaining({
    code: 'token_expired',
    route,
    kind,
    detail: 'access token has expired',
  });
}

function expectNoStore(response: Response) {
  expect(response.headers.get('cache-control')).toBe('private, no-store');
  expect(response.headers.get('vary')).toContain('Cookie');
}

describe('protect', () => {
  let valid: string;
  let expired: string;

  beforeAll(async () => {
    // The access cookie alone: the middleware reads nothing else, and the tamper rows below
    // change its last characters.
    const signer = standInSigner(inject('issuerUrl'), inject('clientId'));
    const accessCookie = async (expiredToken: boolean) => {
      const session = await mintSession({ signer, secret: secrets[0]!, expired: expiredToken });
      const access = session.cookies.find((cookie) => cookie.name === 'sk_access')!;
      return `sk_access=${access.value}`;
    };
    valid = await accessCookie(false);
    expired = await accessCookie(true);
  });

  describe('with a valid session', () => {
    it('passes a document through, uncached, forwarding nothing to the page', async () => {
      const response = await protect(request('/dashboard', { ...DOCUMENT, cookie: valid }));
      expect(passed(response)).toBe(true);
      expect(response.headers.get('x-middleware-override-headers')).toBeNull();
      expectNoStore(response);
    });

    it('passes RSC navigations, fetches and actions', async () => {
      for (const headers of [RSC, FETCH, ACTION]) {
        const method = headers === ACTION ? 'POST' : 'GET';
        const response = await protect(
          request('/dashboard', { ...headers, cookie: valid }, method),
        );
        expect(passed(response)).toBe(true);
      }
    });

    it('sends a document through refresh when the token is about to expire', async () => {
      const cookie = await sessionCookie(accessTokenClaims({ iat: now() - 298, exp: now() + 2 }));
      const response = await protect(request('/dashboard?tab=1', { ...DOCUMENT, cookie }));
      expect(response.status).toBe(307);
      expect(response.headers.get('location')).toBe(
        `${APP}/api/refresh?returnTo=%2Fdashboard%3Ftab%3D1`,
      );
      const rsc = await protect(request('/dashboard', { ...RSC, cookie }));
      expect(passed(rsc)).toBe(true);
    });
  });

  // Each row's logged detail: a cookie that does not open is logged as no cookie at all.
  const NO_COOKIE = 'no session cookie opens';
  describe.each([
    ['no session cookie', () => '', NO_COOKIE],
    ['a garbage cookie', () => 'sk_access=garbage', NO_COOKIE],
    ['a tampered cookie', () => `${valid.slice(0, -6)}AAAAAA`, NO_COOKIE],
    [
      'a forged token',
      async () => `sk_access=${await seal('eyJhbGciOiJub25lIn0.e30.', 'access', secrets)}`,
      'access token failed verification',
    ],
    [
      'a cookie sealed with another secret',
      async () =>
        `sk_access=${await seal(await control.sign(accessTokenClaims()), 'access', ['another-secret-0123456789abcdef0123'])}`,
      NO_COOKIE,
    ],
    ['an incomplete chunk set', async () => `sk_access.0=2~${valid.slice(10, 200)}`, NO_COOKIE],
  ])('with %s', (_, cookieFor, detail) => {
    /** Runs the middleware and checks it logged this failure once, as unauthenticated. */
    async function refused(route: string, kind: string, req: NextRequest) {
      const { result, lines } = await captureAuthLog(() => protect(req));
      expect(lines).toEqual([
        expect.objectContaining({ code: 'unauthenticated', route, kind, detail }),
      ]);
      return result;
    }

    it('redirects a document to sign-in, keeping the path and query', async () => {
      const response = await refused(
        '/dashboard/admin',
        'document',
        request('/dashboard/admin?x=1&y=2', { ...DOCUMENT, cookie: await cookieFor() }),
      );
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(
        `${APP}/login?returnTo=%2Fdashboard%2Fadmin%3Fx%3D1%26y%3D2`,
      );
      expect(response.headers.get('set-cookie')).toBeNull();
      expectNoStore(response);
    });

    it('answers an API request with 401 unauthenticated', async () => {
      const response = await refused(
        '/api/protected/me',
        'api',
        request('/api/protected/me', { ...FETCH, cookie: await cookieFor() }),
      );
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: 'unauthenticated' });
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expectNoStore(response);
    });

    it('answers an RSC navigation with a 401 that Next turns into a page load', async () => {
      const response = await refused(
        '/dashboard',
        'rsc',
        request('/dashboard', { ...RSC, cookie: await cookieFor() }),
      );
      expect(response.status).toBe(401);
    });

    it('sends a Server Action to sign-in with x-action-redirect', async () => {
      const response = await refused(
        '/dashboard',
        'action',
        request('/dashboard', { ...ACTION, cookie: await cookieFor() }, 'POST'),
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('x-action-redirect')).toBe(
        '/login?returnTo=%2Fdashboard;replace',
      );
    });
  });

  describe('a no-JavaScript form POST (the security review of issue 19)', () => {
    const FORM = { ...DOCUMENT, 'content-type': 'application/x-www-form-urlencoded' };

    it('a signed-out no-JavaScript form POST to a protected page goes to sign-in with a 303', async () => {
      // `/login` answers GET only: a 307 would repeat the POST there and get a 405.
      const { result: response, lines } = await captureAuthLog(() =>
        protect(request('/dashboard?tab=1', FORM, 'POST')),
      );
      expect(lines).toEqual([
        expect.objectContaining({
          code: 'unauthenticated',
          route: '/dashboard',
          kind: 'document',
          detail: NO_COOKIE,
        }),
      ]);
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(`${APP}/login?returnTo=%2Fdashboard%3Ftab%3D1`);
      expectNoStore(response);
    });

    it('replays the form of an expired session through /api/refresh with a 307, which keeps the POST', async () => {
      const { result: response, lines } = await captureAuthLog(() =>
        protect(request('/dashboard', { ...FORM, cookie: expired }, 'POST')),
      );
      expect(lines).toEqual([expiredLine('/dashboard', 'document')]);
      expect(response.status).toBe(307);
      expect(response.headers.get('location')).toBe(`${APP}/api/refresh?returnTo=%2Fdashboard`);
    });
  });

  describe('with an expired token', () => {
    it('sends a document through /api/refresh', async () => {
      const { result: response, lines } = await captureAuthLog(() =>
        protect(request('/dashboard?a=1', { ...DOCUMENT, cookie: expired })),
      );
      expect(lines).toEqual([expiredLine('/dashboard', 'document')]);
      expect(response.status).toBe(307);
      expect(response.headers.get('location')).toBe(
        `${APP}/api/refresh?returnTo=%2Fdashboard%3Fa%3D1`,
      );
      expectNoStore(response);
    });

    it('answers API and RSC requests with 401 token_expired and WWW-Authenticate', async () => {
      for (const [path, headers] of [
        ['/api/protected/me', FETCH],
        ['/dashboard', RSC],
      ] as const) {
        const { result: response, lines } = await captureAuthLog(() =>
          protect(request(path, { ...headers, cookie: expired })),
        );
        expect(lines).toEqual([expiredLine(path, headers === RSC ? 'rsc' : 'api')]);
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual({ error: 'token_expired' });
        expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
        expectNoStore(response);
      }
    });

    it('replays a Server Action through /api/refresh with a 307', async () => {
      const { result: response, lines } = await captureAuthLog(() =>
        protect(request('/dashboard', { ...ACTION, cookie: expired }, 'POST')),
      );
      expect(lines).toEqual([expiredLine('/dashboard', 'action')]);
      expect(response.status).toBe(307);
      expect(response.headers.get('location')).toBe(`${APP}/api/refresh?returnTo=%2Fdashboard`);
    });

    it.each([
      ['Sec-Purpose: prefetch', { 'sec-purpose': 'prefetch' }],
      ['Sec-Purpose: prefetch;prerender', { 'sec-purpose': 'prefetch;prerender' }],
      ['Purpose: prefetch', { purpose: 'prefetch' }],
      ['Next-Router-Prefetch: 1', { 'next-router-prefetch': '1' }],
    ])('never redirects a prefetch (%s)', async (_, hint) => {
      const { result: response, lines } = await captureAuthLog(() =>
        protect(request('/dashboard', { ...DOCUMENT, ...hint, cookie: expired })),
      );
      expect(lines).toEqual([expiredLine('/dashboard', 'document')]);
      expect(response.status).toBe(401);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('set-cookie')).toBeNull();
    });
  });

  describe('when the JWKS cannot be fetched on a cold isolate', () => {
    afterEach(async () => {
      await control.setFault('keys', null);
    });

    async function coldMiddleware() {
      vi.resetModules();
      return (await import('@/lib/edge/protect')).protect;
    }

    it('answers API requests with 503 and documents with an error page, never a pass', async () => {
      const cold = await coldMiddleware();
      await control.setFault('keys', 'error');
      const { result: api, lines } = await captureAuthLog(() =>
        cold(request('/api/protected/me', { ...FETCH, cookie: valid })),
      );
      expect(api.status).toBe(503);
      expect(await api.json()).toEqual({ error: 'jwks_unavailable' });
      expectNoStore(api);
      const { result: page, lines: pageLines } = await captureAuthLog(() =>
        cold(request('/dashboard', { ...DOCUMENT, cookie: valid })),
      );
      const unavailable = { code: 'jwks_unavailable', detail: 'JWKS could not be fetched' };
      expect([...lines, ...pageLines]).toEqual([
        expect.objectContaining({ ...unavailable, route: '/api/protected/me', kind: 'api' }),
        expect.objectContaining({ ...unavailable, route: '/dashboard', kind: 'document' }),
      ]);
      expect(page.status).toBe(503);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('temporarily unavailable');
    });
  });

  describe('when the configuration is invalid', () => {
    async function misconfiguredProtect() {
      vi.resetModules();
      return (await import('@/lib/edge/protect')).protect;
    }

    it('answers a document with a page naming the variable, and an API call with config_invalid', async () => {
      const saved = process.env.SESSION_COOKIE_SECRET;
      process.env.SESSION_COOKIE_SECRET = 'too-short';
      const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        const misconfigured = await misconfiguredProtect();
        const page = await misconfigured(request('/dashboard', { ...DOCUMENT, cookie: valid }));
        expect(page.status).toBe(500);
        const html = await page.text();
        expect(html).toContain('SESSION_COOKIE_SECRET must be at least 32 bytes');
        expect(html).not.toContain('too-short');
        expect(html).toContain('config_invalid');
        const api = await misconfigured(request('/api/protected/me', { ...FETCH, cookie: valid }));
        expect(api.status).toBe(500);
        expect(await api.json()).toEqual({ error: 'config_invalid' });
        const logged = errors.mock.calls.map(([line]) => JSON.parse(String(line)));
        expect(logged).toHaveLength(2);
        expect(logged[0]).toMatchObject({ event: 'auth_failure', code: 'config_invalid' });
        expect(logged[0].detail).toContain('SESSION_COOKIE_SECRET');
      } finally {
        process.env.SESSION_COOKIE_SECRET = saved;
        errors.mockRestore();
        vi.resetModules();
      }
    });
  });

  describe('logging', () => {
    it('writes one structured line per failure with its code, route and kind, and nothing of the request', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      try {
        await protect(
          request('/dashboard/admin?code=secret-code', { ...DOCUMENT, cookie: expired }),
        );
        await protect(request('/api/protected/me', { ...FETCH, cookie: 'sk_access=garbage' }));
        const lines = warn.mock.calls.map(([line]) => String(line));
        expect(lines.map((line) => JSON.parse(line))).toEqual([
          expect.objectContaining({
            event: 'auth_failure',
            code: 'token_expired',
            route: '/dashboard/admin',
            kind: 'document',
          }),
          expect.objectContaining({
            event: 'auth_failure',
            code: 'unauthenticated',
            route: '/api/protected/me',
            kind: 'api',
          }),
        ]);
        for (const line of lines) {
          expect(line).not.toContain('secret-code');
          expect(line).not.toContain(expired.slice('sk_access='.length, 40));
          expect(line).not.toContain('garbage');
        }
      } finally {
        warn.mockRestore();
      }
    });

    it('logs nothing for a request that passes', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      try {
        await protect(request('/dashboard', { ...DOCUMENT, cookie: valid }));
        expect(warn).not.toHaveBeenCalled();
      } finally {
        warn.mockRestore();
      }
    });
  });

  it('never throws and never passes a protected request without a genuine cookie (10,000 runs)', async () => {
    const b64 = fc.stringMatching(/^[A-Za-z0-9_-]{0,60}$/);
    const cookieValue = fc.oneof(
      fc.string({ maxLength: 80 }).map((s) => s.replace(/[^\x21-\x7e]|[;,\\"]/g, '')),
      fc.tuple(b64, b64, b64, b64, b64).map((parts) => parts.join('.')),
      fc.constant(valid.slice('sk_access='.length)).map((v) => v.split('').reverse().join('')),
      fc.tuple(fc.integer({ min: -1, max: 12 }), b64).map(([n, v]) => `${n}~${v}`),
    );
    const cookieName = fc.constantFrom(
      'sk_access',
      'sk_access.0',
      'sk_access.1',
      '__Host-sk_access',
      'sk_refresh',
      'x',
    );
    const cookieHeader = fc
      .array(fc.tuple(cookieName, cookieValue), { maxLength: 4 })
      .map((pairs) => pairs.map(([name, value]) => `${name}=${value}`).join('; '));
    const headerSet = fc.record(
      {
        'sec-fetch-mode': fc.constantFrom(
          'navigate',
          'cors',
          'no-cors',
          'same-origin',
          'websocket',
        ),
        'next-action': b64,
        purpose: fc.constantFrom('prefetch', 'x'),
        'sec-purpose': fc.constantFrom('prefetch', 'prefetch;prerender'),
        accept: fc.constantFrom('text/html', '*/*', 'text/x-component'),
      },
      { requiredKeys: [] },
    );
    const path = fc.tuple(
      fc.constantFrom('/dashboard', '/dashboard/admin', '/api/protected/me', '/api/protected'),
      fc.string({ maxLength: 30 }).map((s) => encodeURIComponent(s)),
    );

    // Every run is an auth failure, and each logs a line: keep 10,000 of them off the console.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    onTestFinished(() => warn.mockRestore());
    await fc.assert(
      fc.asyncProperty(
        cookieHeader,
        headerSet,
        path,
        fc.constantFrom('GET', 'POST'),
        async (cookie, headers, [base, query], method) => {
          const response = await protect(
            request(`${base}?q=${query}`, { ...headers, cookie }, method),
          );
          expect(passed(response)).toBe(false);
          expect([303, 307, 401, 200]).toContain(response.status);
          expect(response.headers.get('set-cookie')).toBeNull();
        },
      ),
      { numRuns: 10_000 },
    );
  }, 120_000);
});
