import 'server-only';
import { NextResponse, type NextRequest } from 'next/server';
import type { EdgeConfig } from '@/lib/edge/config';
import { noStore } from '@/lib/edge/responses';

/** The `/login` query parameter that marks the second leg of a cookie check. */
export const COOKIE_CHECK_PARAM = 'cookie_check';

const PROBE_SECONDS = 60;

function probeName(config: Pick<EdgeConfig, 'secureCookies'>): string {
  return config.secureCookies ? '__Host-sk_cookie_check' : 'sk_cookie_check';
}

/**
 * Scalekit sends a browser that blocks cookies back to the initiate-login URL (`/login`), which
 * would start another sign-in and loop. A browser that arrives from elsewhere (another site, a
 * bookmark, Scalekit's redirect: `Sec-Fetch-Site` other than `same-origin`) carrying no cookie at
 * all is asked once to prove it keeps one: a 303 back to the same URL with a probe cookie and
 * {@link COOKIE_CHECK_PARAM}. Same-origin sign-ins and browsers holding any cookie skip it.
 *
 * Returns the probe response, a `cookies_disabled` verdict, or null to go on (with the probe
 * cookie to delete on the way, when there is one).
 */
export function checkCookies(
  request: NextRequest,
  config: Pick<EdgeConfig, 'secureCookies' | 'appUrl'>,
): { probe: NextResponse } | { disabled: true } | null {
  const name = probeName(config);
  if (request.nextUrl.searchParams.has(COOKIE_CHECK_PARAM)) {
    return request.cookies.has(name) ? null : { disabled: true };
  }
  const site = request.headers.get('sec-fetch-site');
  if (request.cookies.size > 0 || site === null || site === 'same-origin') return null;
  const again = new URL(`${request.nextUrl.pathname}${request.nextUrl.search}`, config.appUrl);
  again.searchParams.set(COOKIE_CHECK_PARAM, '1');
  const probe = noStore(NextResponse.redirect(again, 303));
  probe.cookies.set(name, '1', {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.secureCookies,
    path: '/',
    maxAge: PROBE_SECONDS,
  });
  return { probe };
}

/** Deletes the probe cookie on the response that goes on to Scalekit, if the request had one. */
export function clearCookieProbe(
  request: NextRequest,
  response: NextResponse,
  config: Pick<EdgeConfig, 'secureCookies'>,
): void {
  const name = probeName(config);
  if (!request.cookies.has(name)) return;
  response.cookies.set(name, '', {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.secureCookies,
    path: '/',
    maxAge: 0,
  });
}
