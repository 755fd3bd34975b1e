import { readAppUrl } from '../edge/config';

/**
 * Sent on every response by the app itself (next.config.ts `headers()`), so `next start`, Docker
 * and every platform get them, not only Vercel. HSTS only when the app is served over https
 * (APP_URL, or Vercel's URL), as read when Next loads next.config.ts (`next build` and
 * `next start`).
 *
 * @example
 * headers: async () => [{ source: '/:path*', headers: securityHeaders(process.env) }],
 */
export function securityHeaders(env: Readonly<Record<string, string | undefined>>) {
  const headers = [
    { key: 'X-Content-Type-Options', value: 'nosniff' },
    { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
    { key: 'Content-Security-Policy', value: "frame-ancestors 'none'" },
    { key: 'X-Frame-Options', value: 'DENY' },
  ];
  if (servedOverHttps(env)) {
    headers.push({
      key: 'Strict-Transport-Security',
      value: 'max-age=63072000; includeSubDomains',
    });
  }
  return headers;
}

function servedOverHttps(env: Readonly<Record<string, string | undefined>>): boolean {
  try {
    return readAppUrl(env).startsWith('https:');
  } catch {
    // No usable APP_URL yet (a build without configuration): the app refuses to run like that.
    return false;
  }
}
