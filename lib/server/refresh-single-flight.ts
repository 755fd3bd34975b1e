import 'server-only';
import { AuthError, isAuthError } from '@/lib/edge/errors';
import { seal, unseal } from '@/lib/edge/seal';
import { StoreError } from '@/lib/edge/store-error';
import type { Store } from './store/store';

/** What one redemption of a refresh token yields. */
export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
}

export interface SingleFlightOptions {
  store: Store;
  /** Seals results kept in the store: they hold live tokens. */
  secrets: readonly string[];
  /** Longer than the slowest redemption (the SDK's timeout), so a lock never expires mid-flight. */
  lockTtlMs?: number;
  /** How long a result answers late arrivals that still hold the old refresh token. */
  graceMs?: number;
  /** How long a request waits for another instance's redemption before giving up (transient). */
  waitMs?: number;
}

/**
 * This process's redemptions by token hash: in flight, then settled for the grace window. The
 * settled outcome (a pair or a rejection) answers a late arrival in this process whether or not
 * the store does: with the store down it is the only thing that does, and a request whose hashing
 * finished just after the first redemption would otherwise redeem a token Scalekit already rotated.
 * Insertion-ordered, so the oldest entries leave first when it is full.
 */
const flights = new Map<string, { promise: Promise<TokenPair>; settledUntil: number }>();
const GRACE_MS = 30_000;
/** Far more refreshes than one process sees in a grace window; a bound on memory, not a limit. */
const MAX_SETTLED = 10_000;
let warnedDegraded = false;

/**
 * Redeems `refreshToken` at most once across every request and instance sharing the store.
 * Scalekit rotates refresh tokens, so two redemptions of the same token sign someone out.
 *
 * - Within a process, concurrent callers share one promise, and its outcome answers later callers
 *   with the same token for the grace window (the store down or not).
 * - Across instances, a `SET NX PX` lock elects one redeemer; it stores the new pair (sealed) under
 *   a result key for a grace window and releases the lock by compare-and-delete. The others poll
 *   for the result; a request that arrives later with the old token inside the window gets the same
 *   pair without redeeming again. A token Scalekit rejected is remembered the same way, so late
 *   arrivals fail at once instead of each redeeming it again.
 * - When the store cannot answer, the redemption goes ahead without it: coordination trouble must
 *   never sign anyone out.
 *
 * @example
 * const pair = await singleFlightRefresh(token, (t) => redeemAtScalekit(t), { store, secrets });
 */
export function singleFlightRefresh(
  refreshToken: string,
  redeem: (refreshToken: string) => Promise<TokenPair>,
  options: SingleFlightOptions,
): Promise<TokenPair> {
  return sha256(refreshToken).then((key) => {
    const known = flights.get(key);
    if (known && known.settledUntil > Date.now()) return known.promise;
    if (known) flights.delete(key);
    const graceMs = options.graceMs ?? GRACE_MS;
    const entry = {
      promise: coordinate(key, () => redeem(refreshToken), options),
      settledUntil: Infinity,
    };
    entry.promise.then(
      () => settle(entry, graceMs),
      // A rejected token stays rejected for late arrivals; a transient failure is retried.
      (err: unknown) =>
        isAuthError(err, 'refresh_failed') ? settle(entry, graceMs) : forget(key, entry),
    );
    flights.set(key, entry);
    return entry.promise;
  });
}

function settle(entry: { settledUntil: number }, graceMs: number): void {
  entry.settledUntil = Date.now() + graceMs;
  // Drop expired entries from the oldest end, and the oldest settled ones past the bound.
  for (const [oldKey, old] of flights) {
    if (old.settledUntil === Infinity) continue;
    if (old.settledUntil > Date.now() && flights.size <= MAX_SETTLED) break;
    flights.delete(oldKey);
  }
}

function forget(key: string, entry: object): void {
  if (flights.get(key) === entry) flights.delete(key);
}

async function coordinate(
  key: string,
  redeem: () => Promise<TokenPair>,
  options: SingleFlightOptions,
): Promise<TokenPair> {
  const { store, secrets, lockTtlMs = 15_000, graceMs = GRACE_MS, waitMs = 5_000 } = options;
  const lockKey = `refresh:lock:${key}`;
  const resultKey = `refresh:result:${key}`;
  const owner = crypto.randomUUID();

  const readResult = async () => {
    const sealed = await store.get(resultKey);
    return sealed === null ? null : parseResult(await unseal(sealed, 'store', secrets));
  };
  const remember = async (result: TokenPair | typeof REJECTED) =>
    store.set(resultKey, await seal(JSON.stringify(result), 'store', secrets), graceMs);

  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const earlier = await readResult();
      if (earlier) return earlier;
      // Idempotent: a retry whose earlier attempt landed (its answer lost) finds its own owner id.
      if (await store.setIfAbsent(lockKey, owner, lockTtlMs)) {
        // The previous holder may have stored its pair and let go between our read and this lock:
        // its result, not a second redemption of a token Scalekit already rotated.
        const settled = await readResult();
        if (settled) {
          await store.deleteIfEquals(lockKey, owner).catch(degraded);
          return settled;
        }
        break;
      }
    } catch (err) {
      if (isAuthError(err, 'refresh_failed')) throw err;
      // A store too slow to answer may still be coordinating: retry until the deadline. One that
      // fails outright, or stays silent past it, is bypassed: coordination must not sign anyone out.
      if (!(err instanceof StoreError && err.timedOut) || Date.now() > deadline) {
        degraded(err);
        return redeem();
      }
      continue;
    }
    // Someone else is redeeming this token: wait for the pair they store.
    await sleep(Math.min(25 * 2 ** attempt, 200));
    if (Date.now() > deadline) {
      throw new AuthError('refresh_unavailable', 'timed out waiting for a concurrent refresh');
    }
  }

  try {
    const pair = await redeem();
    await remember(pair).catch(degraded);
    return pair;
  } catch (err) {
    // A rejected token stays rejected: late arrivals learn it here instead of each redeeming it
    // again at Scalekit.
    if (isAuthError(err, 'refresh_failed')) await remember(REJECTED).catch(degraded);
    throw err;
  } finally {
    await store.deleteIfEquals(lockKey, owner).catch(degraded);
  }
}

/** Stored instead of a pair when Scalekit rejected the token. */
const REJECTED = { rejected: true } as const;

/** The stored pair; throws `refresh_failed` for a stored rejection; null for anything else. */
function parseResult(json: string | null): TokenPair | null {
  let value: Record<string, unknown>;
  try {
    value = (JSON.parse(json ?? 'null') ?? {}) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (value.rejected === true) {
    throw new AuthError('refresh_failed', 'a concurrent refresh found the token rejected');
  }
  const { accessToken, refreshToken } = value;
  if (typeof accessToken === 'string' && typeof refreshToken === 'string') {
    return { accessToken, refreshToken };
  }
  return null;
}

function degraded(err: unknown): void {
  if (warnedDegraded) return;
  warnedDegraded = true;
  const code = (err as { code?: unknown } | null)?.code;
  console.warn(
    `[auth] refresh coordination is unavailable (${typeof code === 'string' ? code : 'error'}); ` +
      'refreshing without the cross-instance lock until the store recovers',
  );
}

async function sha256(value: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
