import { decodeJwt, type JWSHeaderParameters, type JWTPayload } from 'jose';
import { inject } from 'vitest';
import { seal, unseal } from '@/lib/edge/seal';
import type { CookieJar } from './cookie-jar';
import { issuerControl } from './issuer-control';

/**
 * Replaces the jar's access token with the same token (same person, session and claims, with
 * `claims` changed), re-signed by the stand-in's current key (`header` changed): what a browser
 * holds after its token expired, or after Scalekit rotated its signing key, without waiting for it.
 */
export async function resignAccessToken(
  jar: CookieJar,
  claims: (now: number) => JWTPayload = () => ({}),
  header: JWSHeaderParameters = {},
): Promise<void> {
  const secrets = [process.env.SESSION_COOKIE_SECRET!];
  const cookie = jar.get('sk_access');
  const token = cookie && (await unseal(cookie.value, 'access', secrets));
  if (!token) throw new Error('the jar holds no access token');
  const now = Math.floor(Date.now() / 1000);
  const resigned = await issuerControl(inject('issuerUrl')).sign(
    { ...decodeJwt(token), ...claims(now) },
    { typ: 'JWT', ...header },
  );
  cookie.value = await seal(resigned, 'access', secrets);
}

/** The jar's access token as it is a minute after it expired. */
export function expireAccessToken(jar: CookieJar): Promise<void> {
  return resignAccessToken(jar, (now) => ({ iat: now - 360, nbf: now - 360, exp: now - 60 }));
}
