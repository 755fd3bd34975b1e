import 'server-only';

/**
 * The few key-value operations that coordinate instances: the refresh lock and its result, the
 * session revocation list and the shared JWKS copy. Values are strings; every entry expires.
 *
 * Implementations reject with {@link StoreError} (`store_unavailable`) when they cannot answer in
 * time, never hang, and never report a guess (a timed-out `setIfAbsent` is not a "no").
 * TTLs are milliseconds, positive; anything else is a programming error (`RangeError`).
 *
 * @example
 * // Refresh single-flight: one instance redeems the refresh token, the others read its result.
 * if (await store.setIfAbsent(`refresh:lock:${sid}`, owner, 10_000)) {
 *   try {
 *     await store.set(`refresh:result:${sid}`, sealedTokens, 30_000);
 *   } finally {
 *     await store.deleteIfEquals(`refresh:lock:${sid}`, owner);
 *   }
 * } else {
 *   const sealed = await store.get(`refresh:result:${sid}`); // poll until set
 * }
 */
export interface Store {
  /**
   * Sets `key` only if it does not exist (SET NX PX). True when this call set it, or when `key`
   * already holds exactly `value`: an earlier attempt of the same call landed although its answer
   * was lost, so a retry after a network error still owns the lock. Use a value unique to the
   * caller (an owner id) wherever two callers must not both win.
   */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** The value of `key`, or null when it does not exist or has expired. */
  get(key: string): Promise<string | null>;
  /** Sets `key`, replacing any value and TTL (SET PX). */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /**
   * Deletes `key` only if it holds `expected`, atomically: releasing a lock must not delete one that
   * expired and was taken by someone else meanwhile. True when this call deleted it.
   */
  deleteIfEquals(key: string, expected: string): Promise<boolean>;
  /** The values of several keys in one round trip (MGET), null where absent: revocation checks. */
  getMany(keys: readonly string[]): Promise<(string | null)[]>;
}
