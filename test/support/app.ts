import { NextRequest } from 'next/server';
import { IssuerBrowser } from '../tools/scalekit-stand-in/browser';
import type { CookieJar } from './cookie-jar';

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

/** The path and query of a URL, as the app's handlers receive it. */
export function pathOf(url: URL): string {
  return `${url.pathname}${url.search}`;
}
