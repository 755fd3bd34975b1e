import 'server-only';
import type { EdgeConfig } from '@/lib/edge/config';
import {
  cookieName,
  deleteSessionCookie,
  readSessionCookie,
  readCookieValue,
  writeSessionCookie,
  type CookieSink,
  type CookieSource,
} from '@/lib/edge/session-cookies';
import { unseal } from '@/lib/edge/seal';

type Config = Pick<EdgeConfig, 'secureCookies' | 'sessionSecrets' | 'sessionMaxAgeSeconds'>;

/**
 * What the refresh cookie holds: the refresh token, bound to the session (`sid`) it belongs to.
 * A refresh cookie of another session (planted by a sibling subdomain: the cookie is path-scoped,
 * so it cannot take the `__Host-` prefix) is never redeemed for this one.
 */
export interface RefreshRecord {
  readonly refreshToken: string;
  readonly sid: string;
}

/**
 * What the ID cookie holds: the ID token verified at sign-in (for the profile and as the logout
 * hint), the session it came with, and when the person signed in (ms since the epoch; undefined
 * when the callback could not prove it, see lib/server/sign-in-time.ts). Written at sign-in only:
 * a refresh never moves `signedInAt`.
 */
export interface SignInRecord {
  readonly idToken: string;
  readonly sid: string;
  readonly signedInAt: number | undefined;
}

/** A session as it is written: at sign-in every part; at a refresh the access and refresh tokens. */
export interface SessionWrite {
  readonly accessToken: string;
  /** The `sid` of the verified access token: what the refresh token is bound to. */
  readonly sid: string;
  /** Absent when Scalekit issued none: then any refresh cookie left from before is deleted. */
  readonly refreshToken?: string;
  /** Only at sign-in; a refresh keeps the record the sign-in wrote. */
  readonly signIn?: SignInRecord;
}

/**
 * Seals and writes a session in one response. Every cookie is replaced or deleted: a refresh
 * token left from someone before must never survive a sign-in that brought none.
 *
 * @example
 * await setSessionCookies(response.cookies, { accessToken, sid, refreshToken, signIn }, config);
 */
export async function setSessionCookies(
  sink: CookieSink,
  session: SessionWrite,
  config: Config,
  existing?: CookieSource,
): Promise<void> {
  await writeSessionCookie(sink, 'access', session.accessToken, config, existing);
  if (session.refreshToken) {
    const record: RefreshRecord = { refreshToken: session.refreshToken, sid: session.sid };
    await writeSessionCookie(sink, 'refresh', JSON.stringify(record), config, existing);
  } else {
    deleteSessionCookie(sink, 'refresh', config, existing);
  }
  if (session.signIn) {
    await writeSessionCookie(sink, 'id', JSON.stringify(session.signIn), config, existing);
  }
}

/** Expires every session cookie, the path-scoped refresh cookie on its own path. */
export function clearSessionCookies(sink: CookieSink, config: Config, existing?: CookieSource) {
  for (const kind of ['access', 'refresh', 'id'] as const) {
    deleteSessionCookie(sink, kind, config, existing);
  }
}

/**
 * Whether the request carried any session cookie of ours, whole or in chunks. A request with none
 * has nothing of ours to delete: answering it with deletions would only reach a browser that
 * withheld the cookies (a cross-site POST under `SameSite=Lax`) and sign it out.
 *
 * @example
 * if (presentsSessionCookies(request.cookies, config)) clearSessionCookies(res.cookies, config);
 */
export function presentsSessionCookies(
  cookies: CookieSource,
  config: Pick<EdgeConfig, 'secureCookies'>,
): boolean {
  return (['access', 'refresh', 'id'] as const).some((kind) => {
    const name = cookieName(kind, config);
    return cookies.get(name) !== undefined || cookies.get(`${name}.0`) !== undefined;
  });
}

/**
 * The refresh token bound to session `sid`, or null. Looks at every refresh cookie the browser
 * sent under our name (a planted one arrives next to ours, not instead of it) and takes only the
 * one sealed for this session.
 *
 * @example
 * const refreshToken = await readRefreshToken(request, claims.sid, config);
 */
export async function readRefreshToken(
  request: { headers: Headers; cookies: CookieSource },
  sid: string,
  config: Pick<EdgeConfig, 'secureCookies' | 'sessionSecrets'>,
): Promise<{ refreshToken: string } | { refreshToken: null; foreign: boolean }> {
  const name = cookieName('refresh', config);
  const chunked = readCookieValue(request.cookies, name);
  const candidates = [...cookieValues(request.headers.get('cookie'), name)];
  if (chunked !== null && !candidates.includes(chunked)) candidates.push(chunked);
  let foreign = false;
  for (const sealed of candidates) {
    const record = parseRefreshRecord(await unseal(sealed, 'refresh', config.sessionSecrets));
    if (record?.sid === sid) return { refreshToken: record.refreshToken };
    if (record) foreign = true;
  }
  return { refreshToken: null, foreign };
}

/** The sign-in record of the request, or null when absent or not readable. */
export async function readSignInRecord(
  cookies: CookieSource,
  config: Pick<EdgeConfig, 'secureCookies' | 'sessionSecrets'>,
): Promise<SignInRecord | null> {
  const value = parseJson(await readSessionCookie(cookies, 'id', config));
  const { idToken, sid, signedInAt } = value ?? {};
  if (typeof idToken !== 'string' || typeof sid !== 'string') return null;
  // An unknown sign-in time is stored as its absence; anything else unreadable is unknown too.
  const known = typeof signedInAt === 'number' && Number.isFinite(signedInAt);
  return { idToken, sid, signedInAt: known ? signedInAt : undefined };
}

function parseRefreshRecord(json: string | null): RefreshRecord | null {
  const { refreshToken, sid } = parseJson(json) ?? {};
  return typeof refreshToken === 'string' && refreshToken && typeof sid === 'string' && sid
    ? { refreshToken, sid }
    : null;
}

function parseJson(json: string | null): Record<string, unknown> | null {
  if (json === null) return null;
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Every value the `Cookie` header carries under exactly `name` (duplicates included). */
function* cookieValues(header: string | null, name: string): Generator<string> {
  for (const pair of (header ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    const raw = pair.slice(eq + 1).trim();
    try {
      yield decodeURIComponent(raw);
    } catch {
      yield raw;
    }
  }
}
