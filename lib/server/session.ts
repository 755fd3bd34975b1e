import 'server-only';
import { decodeJwt } from 'jose';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import type { AccessTokenClaims } from '@/lib/edge/access-token';
import { readProfile, type IdTokenClaims } from '@/lib/server/id-token';
import { sanitizeReturnTo } from '@/lib/edge/return-to';
import { readAccessSession } from '@/lib/edge/session';
import { readSessionCookie } from '@/lib/edge/session-cookies';
import { serverConfig } from './env';

export interface Session {
  /** Verified access-token claims: use these for authorization decisions. */
  readonly claims: AccessTokenClaims;
  /** Profile from the ID token verified at sign-in and kept sealed since. */
  readonly user: IdTokenClaims;
  /** When the access token expires, in ms since the epoch (for the client session keeper). */
  readonly expiresAt: number;
}

/**
 * The signed-in session for this request, or null. Reads the sealed cookie and verifies the access
 * token through the same module as the middleware (cheap with a warm JWKS); it never trusts the
 * middleware's forwarded headers. Memoised per request.
 *
 * @example
 * const session = await getSession();
 * if (session && hasRole(session.claims, 'admin')) { … }
 */
export const getSession = cache(async (): Promise<Session | null> => {
  // Reading cookies first marks the render dynamic, so `next build` never needs the configuration.
  const jar = await cookies();
  const config = serverConfig();
  let claims: AccessTokenClaims | null;
  try {
    claims = await readAccessSession(jar);
  } catch {
    return null;
  }
  if (claims === null) return null;
  const idToken = await readSessionCookie(jar, 'id', config);
  const profile = idToken === null ? null : safeDecode(idToken);
  // An ID token of another person than the access token's is never shown.
  const user = profile && profile.sub === claims.sub ? profile : readProfile({ sub: claims.sub });
  return { claims, user, expiresAt: claims.exp * 1000 };
});

/**
 * The session, or a redirect to sign-in that comes back to `returnTo`. For Server Components
 * and Server Actions.
 *
 * @example
 * const { user } = await requireSession('/dashboard');
 */
export async function requireSession(returnTo?: string): Promise<Session> {
  const session = await getSession();
  if (!session) redirect(`/login?returnTo=${encodeURIComponent(sanitizeReturnTo(returnTo))}`);
  return session;
}

function safeDecode(token: string): IdTokenClaims | null {
  try {
    return readProfile(decodeJwt(token));
  } catch {
    return null;
  }
}
