import { openAccessToken, type AccessTokenClaims, type OpenedAccessToken } from './access-token';
import { edgeConfig } from './config';
import { AuthError } from './errors';
import { scalekitKeySet, type KeySet } from './jwks';
import { unseal } from './seal';
import { cookieName, readCookieValue, type CookieSource } from './session-cookies';
import { VerifiedSessionCache } from './verified-session-cache';

let cache: VerifiedSessionCache | undefined;

function verifiedSessions(): VerifiedSessionCache {
  const config = edgeConfig();
  cache ??= new VerifiedSessionCache({
    maxEntries: config.sessionCacheMaxEntries,
    maxBytes: config.sessionCacheMaxBytes,
    maxAgeMs: config.sessionCacheMaxAgeSeconds * 1000,
  });
  return cache;
}

/**
 * The verified access-token claims of the request's session cookie, or null when there is no
 * cookie or it does not open. Throws like `verifyAccessToken` (`token_expired`,
 * `token_invalid`, `jwks_unavailable`). The middleware and the Node side both read sessions here.
 *
 * A cookie seen before is answered from the per-isolate verified-session cache: only its expiry
 * is checked again. Everything else is opened and fully verified, then remembered.
 *
 * @example
 * const claims = await readAccessSession(request.cookies);
 */
export async function readAccessSession(
  cookies: CookieSource,
  keySet: KeySet = scalekitKeySet(),
): Promise<AccessTokenClaims | null> {
  const opened = await openAccessSession(cookies, keySet);
  if (opened?.expired) throw new AuthError('token_expired', 'access token has expired');
  return opened?.claims ?? null;
}

/**
 * {@link readAccessSession}, except that a genuine but expired token comes back with
 * `expired: true` instead of throwing (see {@link openAccessToken}: never for granting access).
 *
 * @example
 * const opened = await openAccessSession(request.cookies);
 * if (opened) await revokeSession(store, opened.claims.sid, until);
 */
export async function openAccessSession(
  cookies: CookieSource,
  keySet: KeySet = scalekitKeySet(),
): Promise<OpenedAccessToken | null> {
  const config = edgeConfig();
  const sealed = readCookieValue(cookies, cookieName('access', config));
  if (sealed === null) return null;
  const sessions = verifiedSessions();
  const known = sessions.get(sealed, keySet.generation);
  if (known) return { claims: known, expired: false };

  const token = await unseal(sealed, 'access', config.sessionSecrets);
  if (token === null) return null;
  const opened = await openAccessToken(token, { keySet });
  if (!opened.expired) sessions.set(sealed, opened.claims, keySet.generation);
  return opened;
}
