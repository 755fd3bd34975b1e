import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { APP_URL } from './support/browser';

/** A document navigation as a browser sends it, the path exactly as given (no normalisation). */
function navigate(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; location: string | null; headers: Record<string, unknown> }>(
    (resolve, reject) => {
      const { hostname, port } = new URL(APP_URL);
      const req = request(
        {
          hostname,
          port,
          path,
          headers: { 'sec-fetch-mode': 'navigate', accept: 'text/html', ...headers },
        },
        (res) => {
          res.resume();
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location ?? null,
            headers: res.headers,
          });
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

/** True when the answer gives nothing of the page away: sign-in, a 401, a 404, or a redirect to the canonical path. */
function isGuarded(
  answer: { status: number; location: string | null },
  canonical: string,
): boolean {
  if (answer.status === 401 || answer.status === 404) return true;
  if (answer.status === 303) return new URL(answer.location!, APP_URL).pathname === '/login';
  if (answer.status === 308) return new URL(answer.location!, APP_URL).pathname === canonical;
  return false;
}

describe('other spellings of a protected path, against the built app', () => {
  it.each([
    ['/dashboard/admin', '/dashboard/admin'],
    ['/Dashboard/admin', '/dashboard/admin'],
    ['/DASHBOARD/ADMIN', '/dashboard/admin'],
    ['/dashboard/admin/', '/dashboard/admin'],
    ['/dashboard//admin', '/dashboard/admin'],
    ['//dashboard/admin', '/dashboard/admin'],
    ['/%64ashboard/admin', '/dashboard/admin'],
    ['/dashboard/%61dmin', '/dashboard/admin'],
    ['/dashboard%2Fadmin', '/dashboard/admin'],
    ['/dashboard/admin.rsc', '/dashboard/admin'],
    ['/dashboard.rsc', '/dashboard'],
    ['/dashboard/admin?_rsc=1', '/dashboard/admin'],
    ['/dashboard/./admin', '/dashboard/admin'],
    ['/dashboard/x/../admin', '/dashboard/admin'],
    ['/api/protected/me', '/api/protected/me'],
    ['/API/protected/me', '/api/protected/me'],
    ['/api/protected/me/', '/api/protected/me'],
    ['/api//protected/me', '/api/protected/me'],
    ['/api/%70rotected/me', '/api/protected/me'],
    ['/api/protected%2Fme', '/api/protected/me'],
    ['/api/protected/me.rsc', '/api/protected/me'],
  ])('gives %s without a session the protection of %s', async (spelling, canonical) => {
    const answer = await navigate(spelling);
    expect(isGuarded(answer, canonical), `${answer.status} ${answer.location}`).toBe(true);
  });
});

describe('security headers from the app itself', () => {
  it.each(['/', '/dashboard', '/api/protected/me', '/login', '/auth/signed-out'])(
    'are on %s, with no HSTS over plain http',
    async (path) => {
      const { headers } = await navigate(path);
      expect(headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'strict-origin-when-cross-origin',
        'content-security-policy': "frame-ancestors 'none'",
        'x-frame-options': 'DENY',
      });
      expect(headers).not.toHaveProperty('strict-transport-security');
    },
  );
});
