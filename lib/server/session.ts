import 'server-only';
import { decodeJwt } from 'jose';
import { cookies } from 'next/headers';
import { cache } from 'react';
import type { AccessTokenClaims } from '@/lib/edge/access-token';
import { edgeConfig } from '@/lib/edge/config';
import { isAuthError } from '@/lib/edge/errors';
import { readAccessSession } from '@/lib/edge/session';
import { isRevoked, revocationReader } from '@/lib/edge/revocation';
import { readSessionCookie, type CookieSource } from '@/lib/edge/session-cookies';
import { readProfile, type IdTokenClaims } from './id-token';
import { readSignInRecord } from './session-records';

export interface Session {
  /** Verified access-token claims: use these for authorization decisions. */
  readonly claims: AccessTokenClaims;
  /** Profile from the ID token verified at sign-in and kept sealed since. */
  readonly user: IdTokenClaims;
  /** When the access token expires, in ms since the epoch (for the client session keeper). */
  readonly expiresAt: number;
}

/** A session, or why there is none: none at all (sign in), or an access token to renew. */
export type SessionRead =
  | { readonly ok: true; readonly session: Session }
  | { readonly ok: false; readonly reason: 'unauthenticated' | 'token_expired' };

/**
 * Reads and verifies the session in `cookies` through the same module as the middleware (and its
 * verified-session cache): the access token fully verified, the profile from the sealed ID token.
 * Says why there is none otherwise. Throws `config_invalid` and `jwks_unavailable`: those are not
 * the person's doing, and must not read as "signed out".
 *
 * @example
 * const read = await readSession(request.cookies);
 * if (!read.ok) return errorJson(read.reason);
 */
export async function readSession(cookies: CookieSource): Promise<SessionRead> {
  let claims: AccessTokenClaims | null;
  try {
    claims = await readAccessSession(cookies);
  } catch (err) {
    if (isAuthError(err, 'token_expired')) return { ok: false, reason: 'token_expired' };
    if (isAuthError(err, 'config_invalid', 'jwks_unavailable') || !isAuthError(err)) throw err;
    return { ok: false, reason: 'unauthenticated' };
  }
  if (claims === null) return { ok: false, reason: 'unauthenticated' };
  const config = edgeConfig();
  // With strict revocation the Node side refuses a signed-out session too, not only the
  // middleware: pages outside the matcher (the home page's header) must not show it.
  if (
    config.revocation === 'strict' &&
    (await isRevoked(revocationReader(config), claims, config))
  ) {
    return { ok: false, reason: 'unauthenticated' };
  }
  const signIn = await readSignInRecord(cookies, config);
  // The profile of another session than the access token's is never shown.
  const profile = signIn?.sid === claims.sid ? safeDecode(signIn.idToken) : null;
  const user = profile && profile.sub === claims.sub ? profile : readProfile({ sub: claims.sub });
  return { ok: true, session: { claims, user, expiresAt: claims.exp * 1000 } };
}

/**
 * The signed-in session of this request, or null: for showing who is signed in (a header, a
 * public page). Memoised per request. It never trusts anything but the sealed cookies. To require
 * a session, use `requireSession()` (pages, Server Actions) or `withSession()` (Route Handlers).
 *
 * @example
 * const session = await getSession();
 * return session ? <p>Signed in as {session.user.email}</p> : <SignInLink />;
 */
export const getSession = cache(async (): Promise<Session | null> => {
  try {
    const read = await currentSession();
    return read.ok ? read.session : null;
  } catch (err) {
    // A JWKS outage shows the person as signed out here; the guards answer 503 instead.
    if (isAuthError(err, 'jwks_unavailable')) return null;
    throw err;
  }
});

/**
 * The current request's access token, verified, to call your own API from the server (Server
 * Components, Server Actions, Route Handlers) as `Authorization: Bearer <token>`; null without a
 * valid session. It is the token the session holds: it is valid for at least the rest of this
 * request's checks, not renewed here (a Server Component cannot set cookies).
 *
 * @example
 * const token = await getAccessToken();
 * const res = await fetch('https://api.example.com/projects', {
 *   headers: { Authorization: `Bearer ${token}` },
 * });
 */
export const getAccessToken = cache(async (): Promise<string | null> => {
  if ((await getSession()) === null) return null;
  return readSessionCookie(await cookies(), 'access', edgeConfig());
});

/**
 * {@link readSession} for the current request's cookies, memoised per request. Reading cookies
 * first marks the render dynamic, so `next build` never needs the configuration.
 */
export const currentSession = cache(async () => readSession(await cookies()));

function safeDecode(token: string): IdTokenClaims | null {
  try {
    return readProfile(decodeJwt(token));
  } catch {
    return null;
  }
}
