import 'server-only';
import { revocationKeys } from '@/lib/edge/revocation';
import type { Store } from './store/store';

/** Kept a little past the token's own expiry, beyond the 5 s clock tolerance. */
const MARGIN_SECONDS = 60;

/**
 * Adds a session id to the revocation list until `tokenExp` (seconds since the epoch) has passed:
 * after that the token is rejected anyway, and refresh fails at Scalekit for a logged-out session.
 *
 * @example
 * await revokeSession(store, claims.sid, claims.exp);
 */
export async function revokeSession(store: Store, sid: string, tokenExp: number): Promise<void> {
  await store.set(revocationKeys.session(sid), '1', ttlUntil(tokenExp));
}

/**
 * Revokes every session of a user that started before now: tokens issued (`iat`) up to this
 * moment are refused until `untilExp`; sessions begun afterwards are not affected.
 */
export async function revokeSubject(store: Store, sub: string, untilExp: number): Promise<void> {
  await store.set(
    revocationKeys.subject(sub),
    String(Math.floor(Date.now() / 1000)),
    ttlUntil(untilExp),
  );
}

function ttlUntil(exp: number): number {
  return (Math.max(0, exp - Math.floor(Date.now() / 1000)) + MARGIN_SECONDS) * 1000;
}
