import 'server-only';
import { decodeJwt } from 'jose';
import { cookies } from 'next/headers';
import { cache } from 'react';
import type { AccessTokenClaims } from '@/lib/edge/access-token';
import { edgeConfig } from '@/lib/edge/config';
import { isAuthError } from '@/lib/edge/errors';
import type { OpenedAccessToken } from '@/lib/edge/access-token';
import { openAccessSession } from '@/lib/edge/session';
import { isRevokedUnderStrict } from '@/lib/edge/revocation';
import { readSessionCookie, type CookieSource } from '@/lib/edge/session-cookies';
import { SIGNED_OUT, type SessionSnapshot, type SessionState } from '@/lib/client/session-state';
import { readProfile, type IdTokenClaims } from './id-token';
import { readSignInRecord } from './session-records';

export interface Session {
  /** Verified access-token claims: use these for authorization decisions. */
  readonly claims: AccessTokenClaims;
  /** Profile from the ID token verified at sign-in and kept sealed since. */
  readonly user: IdTokenClaims;
  /** When the access token expires, in ms since the epoch (for the client session keeper). */
  readonly expiresAt: number;
  /**
   * When the person signed in (ms since the epoch), recorded sealed at the callback and never
   * moved by a refresh; undefined when the record does not belong to this session, or when the
   * callback could not prove a fresh sign-in (lib/server/sign-in-time.ts).
   */
  readonly signedInAt: number | undefined;
}

/** A session, or why there is none: none at all (sign in), or an access token to renew. */
export type SessionRead =
  | { readonly ok: true; readonly session: Session }
  | { readonly ok: false; readonly reason: 'unauthenticated' }
  /** `expired`: the session as its expired (but genuine) token says, for display only. */
  | { readonly ok: false; readonly reason: 'token_expired'; readonly expired: Session };

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
  let opened: OpenedAccessToken | null;
  try {
    opened = await openAccessSession(cookies);
  } catch (err) {
    if (isAuthError(err, 'config_invalid', 'jwks_unavailable') || !isAuthError(err)) throw err;
    return { ok: false, reason: 'unauthenticated' };
  }
  if (opened === null) return { ok: false, reason: 'unauthenticated' };
  const { claims } = opened;
  // With strict revocation the Node side refuses a signed-out session too, not only the
  // middleware: pages outside the matcher (the home page's header) must not show it.
  if (await isRevokedUnderStrict(claims, edgeConfig())) {
    return { ok: false, reason: 'unauthenticated' };
  }
  const session = await sessionOf(claims, cookies);
  return opened.expired
    ? { ok: false, reason: 'token_expired', expired: session }
    : { ok: true, session };
}

/**
 * The {@link Session} of verified claims: the profile and sign-in time from the sign-in record,
 * when that record belongs to the same session (`sid`) and person (`sub`).
 */
export async function sessionOf(
  claims: AccessTokenClaims,
  cookies: CookieSource,
): Promise<Session> {
  const signIn = await readSignInRecord(cookies, edgeConfig());
  const own = signIn?.sid === claims.sid ? signIn : null;
  const profile = own ? safeDecode(own.idToken) : null;
  const same = profile?.sub === claims.sub;
  return {
    claims,
    user: same ? profile : readProfile({ sub: claims.sub }),
    expiresAt: claims.exp * 1000,
    signedInAt: same ? own?.signedInAt : undefined,
  };
}

/**
 * What the browser may know of a session ({@link SessionSnapshot}): never a token.
 *
 * @example
 * return Response.json({ session: sessionSnapshot(session) });
 */
export function sessionSnapshot(session: Session): SessionSnapshot {
  return {
    user: { sub: session.user.sub, email: session.user.email, name: session.user.name },
    organizationId: session.claims.oid,
    roles: session.claims.roles,
    permissions: session.claims.permissions,
    expiresAt: session.expiresAt,
  };
}

/**
 * The session state for `<SessionProvider initial={…}>`: `signed-in`, `renewing` (the access
 * token expired: shown as signed in while the browser renews it), or `signed-out`.
 */
export function getSessionState(): Promise<SessionState> {
  return stateOf(currentSession);
}

/**
 * {@link getSessionState} for the given cookies (a Route Handler's `request.cookies`).
 *
 * @example
 * return Response.json(await readSessionState(request.cookies));
 */
export function readSessionState(cookies: CookieSource): Promise<SessionState> {
  return stateOf(() => readSession(cookies));
}

async function stateOf(read: () => Promise<SessionRead>): Promise<SessionState> {
  let outcome: SessionRead;
  try {
    outcome = await read();
  } catch (err) {
    if (isAuthError(err, 'jwks_unavailable')) return SIGNED_OUT;
    throw err;
  }
  if (outcome.ok) return { status: 'signed-in', session: sessionSnapshot(outcome.session) };
  if (outcome.reason === 'token_expired') {
    return { status: 'renewing', session: sessionSnapshot(outcome.expired) };
  }
  return SIGNED_OUT;
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
