import { IssuerBrowser } from '../../scalekit-stand-in/browser';
import { CookieJar } from '../../../support/cookie-jar';

/**
 * A real sign-in over HTTP against a running app: `/login` → the issuer's hosted page (as the
 * scripted `IssuerBrowser`) → `/api/callback`. Returns the browser's cookies for the app.
 */
export async function signIn(
  appUrl: string,
  user: 'admin' | 'member' = 'admin',
): Promise<CookieJar> {
  const jar = new CookieJar();
  const start = await fetch(`${appUrl}/login?returnTo=/dashboard`, { redirect: 'manual' });
  jar.store(start);
  const authorizeUrl = start.headers.get('location');
  if (start.status !== 307 || !authorizeUrl) throw new Error(`/login answered ${start.status}`);
  const callbackUrl = await new IssuerBrowser().login(authorizeUrl, user);
  const callback = await fetch(callbackUrl, {
    redirect: 'manual',
    headers: { cookie: jar.header(callbackUrl.pathname) },
  });
  jar.store(callback);
  if (callback.status !== 303 || !jar.get('sk_access')) {
    throw new Error(`/api/callback answered ${callback.status} without a session`);
  }
  return jar;
}
