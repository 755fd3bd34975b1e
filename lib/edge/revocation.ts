import type { AccessTokenClaims } from './access-token';
import type { EdgeConfig } from './config';
import type { Store } from './store/store';
import { StoreError } from './store/store-error';

/** Kept a little past the token's own expiry, beyond the 5 s clock tolerance. */
const MARGIN_SECONDS = 60;

const sessionKey = (sid: string) => `revoked:sid:${sid}`;
const subjectKey = (sub: string) => `revoked:sub:${sub}`;

/**
 * Adds a session id to the revocation list until `tokenExp` (seconds since the epoch) has passed:
 * after that the token is rejected anyway, and refresh fails at Scalekit for a logged-out session.
 *
 * @example
 * await revokeSession(store, claims.sid, claims.exp);
 */
export async function revokeSession(store: Store, sid: string, tokenExp: number): Promise<void> {
  await store.set(sessionKey(sid), '1', ttlUntil(tokenExp));
}

/**
 * Revokes every session of a user that started before now: tokens issued (`iat`) up to this
 * moment are refused until `untilExp`; sessions begun afterwards are not affected.
 */
export async function revokeSubject(store: Store, sub: string, untilExp: number): Promise<void> {
  await store.set(subjectKey(sub), String(Math.floor(Date.now() / 1000)), ttlUntil(untilExp));
}

function ttlUntil(exp: number): number {
  return (Math.max(0, exp - Math.floor(Date.now() / 1000)) + MARGIN_SECONDS) * 1000;
}

/**
 * Whether the token's session, or its user as of the token's issue time, is revoked. When the
 * store cannot answer, the configured policy decides: `allow` (default: the token itself was
 * fully verified) or `deny`.
 */
export async function isRevoked(
  store: Pick<Store, 'getMany'>,
  claims: Pick<AccessTokenClaims, 'sid' | 'sub' | 'iat'>,
  config: Pick<EdgeConfig, 'revocationOnStoreError'>,
): Promise<boolean> {
  try {
    const [session, subjectSince] = await store.getMany([
      sessionKey(claims.sid),
      subjectKey(claims.sub),
    ]);
    return session != null || (subjectSince != null && claims.iat <= Number(subjectSince));
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    return config.revocationOnStoreError === 'deny';
  }
}
