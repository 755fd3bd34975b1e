import 'server-only';
import type { NextRequest } from 'next/server';
import { serverConfig } from './env';

/**
 * Whether a browser says this request comes from one of this app's own pages: `Origin` when it
 * sent one, else `Sec-Fetch-Site`. A request with neither is not a browser form and does not
 * count as same-origin: routes that change the session refuse it.
 *
 * @example
 * if (!isSameOrigin(request)) return failRoute(request, new AuthError('cross_site_request'));
 */
export function isSameOrigin(request: NextRequest): boolean {
  const origin = request.headers.get('origin');
  if (origin !== null) {
    return origin === serverConfig().appUrl || origin === request.nextUrl.origin;
  }
  return request.headers.get('sec-fetch-site') === 'same-origin';
}
