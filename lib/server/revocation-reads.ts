import 'server-only';
import type { AccessTokenClaims } from '@/lib/edge/access-token';
import { readRevocation } from '@/lib/edge/revocation';
import type { RevocationReader } from '@/lib/edge/upstash-reader';

type Claims = Pick<AccessTokenClaims, 'sid' | 'sub' | 'iat'> &
  Partial<Pick<AccessTokenClaims, 'oid'>>;

interface Read {
  readonly answer: Promise<boolean>;
  readonly sentAt: number;
}

const inFlight = new WeakMap<RevocationReader, Map<string, Read>>();

/**
 * {@link readRevocation}, sharing a read of the same token's entries that is still in flight and
 * was sent at or after `sentAfter` (a `performance.now()` moment), else sending its own. Joining
 * such a read is the same as sending one at that moment, so nothing older than the caller's
 * moment is trusted, and no answer is kept once it has arrived. Why: a burst of refreshes of one
 * session (tabs, retries, a stress test) reads the list before and after redeeming; with a slow
 * Redis, fifty reads at once queue behind each other past the store's timeout, one read does not.
 * Rejects with `StoreError` like the read it shares.
 *
 * @example
 * const arrivedAt = performance.now();
 * if (await readRevocationSince(getStore(), claims, arrivedAt)) return refused();
 */
export function readRevocationSince(
  store: RevocationReader,
  claims: Claims,
  sentAfter: number,
  now: () => number = () => performance.now(),
): Promise<boolean> {
  let reads = inFlight.get(store);
  if (!reads) inFlight.set(store, (reads = new Map()));
  const key = [claims.sid, claims.sub, claims.oid ?? '', claims.iat].join('\n');
  const known = reads.get(key);
  if (known && known.sentAt >= sentAfter) return known.answer;
  const read: Read = { answer: readRevocation(store, claims), sentAt: now() };
  reads.set(key, read);
  const forget = () => {
    if (reads.get(key) === read) reads.delete(key);
  };
  read.answer.then(forget, forget);
  return read.answer;
}
