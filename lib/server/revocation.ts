import 'server-only';
import { forgetRecentRevocationReads, revocationKeys } from '@/lib/edge/revocation';
import type { EdgeConfig } from '@/lib/edge/config';
import type { Store } from './store/store';

/** Kept a little past the token's own expiry, beyond the 5 s clock tolerance. */
const MARGIN_SECONDS = 60;

/**
 * When a revocation written now may lapse (seconds since the epoch): once every cookie the
 * session could still hold has expired (`SESSION_MAX_AGE_SECONDS`), so no access token of it
 * is valid and no refresh cookie of it is left to redeem, expired access token or not.
 */
export function revocationHorizon(config: Pick<EdgeConfig, 'sessionMaxAgeSeconds'>): number {
  return Math.floor(Date.now() / 1000) + config.sessionMaxAgeSeconds;
}

/**
 * Adds a session id to the revocation list until `untilExp` (seconds since the epoch) has passed.
 *
 * @example
 * await revokeSession(store, claims.sid, revocationHorizon(config));
 */
export async function revokeSession(store: Store, sid: string, untilExp: number): Promise<void> {
  await store.set(revocationKeys.session(sid), '1', ttlUntil(untilExp));
  forgetRecentRevocationReads();
}

/**
 * Revokes every session of a user whose tokens were issued (`iat`) up to `since` (seconds since
 * the epoch; now by default) until `untilExp`; sessions begun afterwards are not affected.
 */
export async function revokeSubject(
  store: Store,
  sub: string,
  untilExp: number,
  since?: number,
): Promise<void> {
  await revokeSince(store, revocationKeys.subject(sub), untilExp, since);
}

/** Like {@link revokeSubject}, for the user's sessions in one organization (a removed member). */
export async function revokeMembership(
  store: Store,
  membership: { sub: string; oid: string },
  untilExp: number,
  since?: number,
): Promise<void> {
  await revokeSince(
    store,
    revocationKeys.membership(membership.oid, membership.sub),
    untilExp,
    since,
  );
}

/** Like {@link revokeSubject}, for everyone's sessions in one organization (deleted). */
export async function revokeOrganization(
  store: Store,
  oid: string,
  untilExp: number,
  since?: number,
): Promise<void> {
  await revokeSince(store, revocationKeys.organization(oid), untilExp, since);
}

async function revokeSince(store: Store, key: string, untilExp: number, since?: number) {
  const time = since ?? Math.floor(Date.now() / 1000);
  await store.set(key, String(time), ttlUntil(untilExp));
  forgetRecentRevocationReads();
}

function ttlUntil(exp: number): number {
  return (Math.max(0, exp - Math.floor(Date.now() / 1000)) + MARGIN_SECONDS) * 1000;
}
