import { decodeJwt } from 'jose';
import { inject } from 'vitest';
import { seal, unseal } from '@/lib/edge/seal';
import type { CookieJar } from './cookie-jar';
import { issuerControl } from './issuer-control';

/**
 * Replaces the jar's access token with the same token (same person, session and claims), re-signed
 * by the stand-in's real key with an `exp` a minute in the past: what a browser holds after the
 * token expired, without waiting for it.
 */
export async function expireAccessToken(jar: CookieJar): Promise<void> {
  const secrets = [process.env.SESSION_COOKIE_SECRET!];
  const cookie = jar.get('sk_access');
  const token = cookie && (await unseal(cookie.value, 'access', secrets));
  if (!token) throw new Error('the jar holds no access token');
  const now = Math.floor(Date.now() / 1000);
  const expired = await issuerControl(inject('issuerUrl')).sign(
    { ...decodeJwt(token), iat: now - 360, nbf: now - 360, exp: now - 60 },
    { typ: 'JWT' },
  );
  cookie.value = await seal(expired, 'access', secrets);
}
