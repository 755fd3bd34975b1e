import { NextRequest } from 'next/server';
import { expect } from 'vitest';
import { IssuerBrowser } from '../tools/scalekit-stand-in/browser';
import { CookieJar } from './cookie-jar';

/** The origin the test environment gives the app (APP_URL in setup-env.ts). */
export const APP_URL = 'http://127.0.0.1:3999';

type Handler = (request: NextRequest) => Response | Promise<Response>;

export interface CallOptions {
  method?: string;
  jar?: CookieJar;
  headers?: Record<string, string>;
  body?: string;
}

/** Calls a route handler (or the middleware) like the browser would, keeping cookies in `jar`. */
export async function call(handler: Handler, path: string, options: CallOptions = {}) {
  const url = new URL(path, APP_URL);
  const headers = new Headers(options.headers);
  const cookie = options.jar?.header(url.pathname);
  if (cookie) headers.set('cookie', cookie);
  const response = await handler(
    new NextRequest(url, { method: options.method ?? 'GET', headers, body: options.body }),
  );
  options.jar?.store(response);
  return response;
}

/** Runs /login → the issuer's hosted page as `user` → returns the callback URL it sends back. */
export async function authorize(
  login: Handler,
  jar: CookieJar,
  user: 'admin' | 'member' | 'other' | 'denied' = 'admin',
  query = '',
) {
  const start = await call(login, `/login${query}`, { jar });
  const location = start.headers.get('location');
  if (start.status !== 307 || !location) throw new Error(`/login answered ${start.status}`);
  const browser = new IssuerBrowser();
  const callbackUrl = await browser.login(location, user);
  return { authorizeUrl: new URL(location), callbackUrl, browser };
}

/**
 * What a browser sends with a POST from one of the app's own pages (`Origin` goes with every POST):
 * routes that change the session refuse a POST without it.
 */
export const SAME_ORIGIN = { origin: APP_URL };

/** What a browser sends for a page load (a document navigation), as the middleware sees it. */
export const DOCUMENT = { 'sec-fetch-mode': 'navigate', accept: 'text/html' };

/**
 * Signs `user` in the whole way (/login, the issuer's hosted page, /api/callback) and returns the
 * browser's cookies, the callback's answer and the issuer-side browser (for a later logout).
 *
 * @example
 * const { jar } = await signIn({ login, callback }, 'member');
 */
export async function signIn(
  app: { login: Handler; callback: Handler },
  user: 'admin' | 'member' | 'other' = 'admin',
  query = '',
) {
  const jar = new CookieJar();
  const { callbackUrl, browser } = await authorize(app.login, jar, user, query);
  const response = await call(app.callback, pathOf(callbackUrl), { jar });
  return { jar, response, browser };
}

/** The path and query of a URL, as the app's handlers receive it. */
export function pathOf(url: URL): string {
  return `${url.pathname}${url.search}`;
}

/**
 * Asserts the JSON answer of an auth failure, headers included: `{"error":"<code>"}` with
 * `status`, never cached, `WWW-Authenticate` on a 401 (`error="invalid_token"` only for an
 * expired token, which `fetchWithSession` renews and retries), `Retry-After` on a 503.
 */
export async function expectErrorJson(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(await response.json()).toEqual({ error: code });
  expect(response.headers.get('cache-control')).toBe('private, no-store');
  expect(response.headers.get('www-authenticate')).toBe(
    status !== 401 ? null : code === 'token_expired' ? 'Bearer error="invalid_token"' : 'Bearer',
  );
  expect(response.headers.get('retry-after')).toBe(status === 503 ? '5' : null);
}
