import { request } from 'node:http';
import { IssuerBrowser } from '../../tools/scalekit-stand-in/browser';
import type { TestUserKey } from '../../tools/scalekit-stand-in/users';
import { CookieJar } from '../../support/cookie-jar';

/** Request headers a browser sends for a full page load; Node's fetch would rewrite them. */
export const DOCUMENT = {
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
  accept: 'text/html',
};

/**
 * One request to the app over HTTP as a browser would send it (headers exactly as given, the
 * jar's cookies for the path), storing what it sets in the jar. Redirects are not followed.
 */
export function send(
  url: string,
  options: { jar?: CookieJar; headers?: Record<string, string>; method?: string } = {},
): Promise<Response> {
  const target = new URL(url);
  const cookie = options.jar?.header(target.pathname);
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: options.method ?? 'GET',
        headers: { ...options.headers, ...(cookie ? { cookie } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const item of Array.isArray(value) ? value : value ? [value] : []) {
              headers.append(name, item);
            }
          }
          const status = res.statusCode ?? 0;
          const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
          const response = new Response(body, { status, headers });
          options.jar?.store(response);
          resolve(response);
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * Signs in to the app at `appUrl` through the local stand-in, over HTTP: `/login`, the hosted
 * login page as `user`, the callback. Returns the jar holding the session and where it landed.
 */
export async function signInOverHttp(
  appUrl: string,
  returnTo: string,
  user: TestUserKey = 'admin',
) {
  const jar = new CookieJar();
  const start = await send(`${appUrl}/login?returnTo=${encodeURIComponent(returnTo)}`, {
    jar,
    headers: DOCUMENT,
  });
  const authorize = start.headers.get('location');
  if (start.status !== 307 || !authorize) throw new Error(`/login answered ${start.status}`);
  const callback = await new IssuerBrowser().login(authorize, user);
  const done = await send(callback.toString(), { jar, headers: DOCUMENT });
  return { jar, landed: done.headers.get('location') };
}
