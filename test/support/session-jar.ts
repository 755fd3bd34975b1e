import { seal, unseal } from '@/lib/edge/seal';
import { parseSetCookie, type CookieJar } from './cookie-jar';

/** The cookies a session is made of (plain names: the test app runs on http). */
export const SESSION_COOKIES = ['sk_access', 'sk_id', 'sk_refresh'];

const secrets = () => [process.env.SESSION_COOKIE_SECRET!];

/**
 * The tokens the session cookies in `jar` hold, opened as the app opens them: the access token,
 * and the refresh and ID tokens out of their records (lib/server/session-records.ts).
 */
export async function sessionTokens(jar: CookieJar) {
  const open = async (name: string, purpose: 'access' | 'refresh' | 'id') =>
    (await unseal(jar.get(name)!.value, purpose, secrets()))!;
  const refresh = JSON.parse(await open('sk_refresh', 'refresh')) as {
    refreshToken: string;
    sid: string;
  };
  const signIn = JSON.parse(await open('sk_id', 'id')) as { idToken: string; signedInAt: number };
  return {
    accessToken: await open('sk_access', 'access'),
    refreshToken: refresh.refreshToken,
    idToken: signIn.idToken,
    sid: refresh.sid,
    signedInAt: signIn.signedInAt,
  };
}

/** A copy of the jar whose refresh cookie holds `token`, bound to the session as the app binds it. */
export async function withRefreshToken(jar: CookieJar, token: string): Promise<CookieJar> {
  const copy = jar.clone();
  const cookie = copy.get('sk_refresh')!;
  const { sid } = await sessionTokens(jar);
  copy.cookies.set('sk_refresh;/api/refresh', {
    ...cookie,
    value: await seal(JSON.stringify({ refreshToken: token, sid }), 'refresh', secrets()),
  });
  return copy;
}

/** The names of the cookies a response deletes (`Max-Age=0`, or an `Expires` in the past). */
export function deletedCookies(response: Response): string[] {
  return response.headers
    .getSetCookie()
    .map(parseSetCookie)
    .filter((cookie) => cookie.maxAge !== undefined && cookie.maxAge <= 0)
    .map((cookie) => cookie.name);
}

/** The access token a response sets, opened; null when it sets none. */
export async function accessTokenSet(response: Response): Promise<string | null> {
  const cookie = response.headers
    .getSetCookie()
    .map(parseSetCookie)
    .find((c) => c.name === 'sk_access' && c.value !== '');
  return cookie ? unseal(cookie.value, 'access', secrets()) : null;
}
