import type { EdgeConfig } from './config';
import { StoreError, type Store } from './store';

/** Kept a little past the token's own expiry, beyond the 5 s clock tolerance. */
const MARGIN_SECONDS = 60;

const key = (sid: string) => `revoked:sid:${sid}`;

/**
 * Adds a session id to the revocation list until `tokenExp` (seconds since the epoch) has passed:
 * after that the token is rejected anyway, and refresh fails at Scalekit for a logged-out session.
 *
 * @example
 * await revokeSession(store, claims.sid, claims.exp);
 */
export async function revokeSession(store: Store, sid: string, tokenExp: number): Promise<void> {
  const remaining = Math.max(0, tokenExp - Math.floor(Date.now() / 1000));
  await store.set(key(sid), '1', (remaining + MARGIN_SECONDS) * 1000);
}

/**
 * Whether `sid` is revoked. When the store cannot answer, the configured policy decides:
 * `allow` (default: the token itself was fully verified) or `deny`.
 */
export async function isRevoked(
  store: Store,
  sid: string,
  config: Pick<EdgeConfig, 'revocationOnStoreError'>,
): Promise<boolean> {
  try {
    return await store.has(key(sid));
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    return config.revocationOnStoreError === 'deny';
  }
}
