import type { AccessTokenClaims } from './access-token';

export interface VerifiedSessionCacheOptions {
  /** Most entries kept; the least recently used go first. 0 turns the cache off. */
  maxEntries: number;
  /**
   * Most bytes kept, estimated per entry as the cookie value, the token's claims as JSON, and a
   * fixed overhead for the map entry and the claims object. The Edge runtime gives an isolate
   * little memory (128 MB on Vercel), so this bounds the cache as much as `maxEntries` does.
   */
  maxBytes: number;
  /** Longest an entry is trusted before the cookie is opened and verified again. */
  maxAgeMs: number;
}

interface Entry {
  readonly claims: AccessTokenClaims;
  readonly until: number;
  readonly bytes: number;
}

/** The map entry, the entry and claims objects and their arrays, beyond the strings counted. */
const ENTRY_OVERHEAD_BYTES = 512;

/** Sealed cookies longer than this (chunked, unusual) are verified every time, not kept. */
const MAX_KEY_LENGTH = 4096;

/**
 * Remembers the claims of sealed cookies that were opened and fully verified, keyed by the exact
 * cookie value: a session sends the same cookie on every request until it rotates, and the RSA
 * verify is most of the cost of a request. A different (tampered) value is a different key, so
 * only values that verified can ever hit. An entry never outlives its token or `maxAgeMs`, and
 * the whole cache is dropped when the key set changes (`generation`: rotation or refetch).
 *
 * @example
 * const cache = new VerifiedSessionCache({ maxEntries: 10_000, maxBytes: 4 << 20, maxAgeMs: 60_000 });
 * const claims = cache.get(sealed, keySet.generation) ?? verifyAndRemember();
 */
export class VerifiedSessionCache {
  readonly #entries = new Map<string, Entry>();
  readonly #options: VerifiedSessionCacheOptions;
  #generation = -1;
  #bytes = 0;

  constructor(options: VerifiedSessionCacheOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The estimated bytes held (see `maxBytes`). */
  get bytes(): number {
    return this.#bytes;
  }

  /** The claims kept for `sealed`, or undefined. Expiry (`exp`) is for the caller to check. */
  get(sealed: string, generation: number): AccessTokenClaims | undefined {
    this.#sync(generation);
    const entry = this.#entries.get(sealed);
    if (!entry) return undefined;
    if (Date.now() >= entry.until) {
      this.#delete(sealed);
      return undefined;
    }
    // Re-inserted: the most recently used entry is the last to be evicted.
    this.#entries.delete(sealed);
    this.#entries.set(sealed, entry);
    return entry.claims;
  }

  set(sealed: string, claims: AccessTokenClaims, generation: number): void {
    const { maxEntries, maxAgeMs, maxBytes } = this.#options;
    if (maxEntries <= 0 || sealed.length > MAX_KEY_LENGTH) return;
    const bytes = sealed.length + JSON.stringify(claims.payload).length + ENTRY_OVERHEAD_BYTES;
    if (bytes > maxBytes) return;
    this.#sync(generation);
    this.#delete(sealed);
    this.#entries.set(sealed, {
      claims: deepFreeze(claims),
      until: Math.min(Date.now() + maxAgeMs, claims.exp * 1000),
      bytes,
    });
    this.#bytes += bytes;
    while (this.#entries.size > maxEntries || this.#bytes > maxBytes) {
      this.#delete(this.#entries.keys().next().value!);
    }
  }

  #delete(sealed: string): void {
    const entry = this.#entries.get(sealed);
    if (!entry) return;
    this.#entries.delete(sealed);
    this.#bytes -= entry.bytes;
  }

  #sync(generation: number): void {
    if (generation === this.#generation) return;
    this.#entries.clear();
    this.#bytes = 0;
    this.#generation = generation;
  }
}

/**
 * Every request with the same cookie gets the same claims object: frozen (arrays and payload
 * included), an app's `roles.push()` or `permissions.sort()` throws instead of changing what the
 * next request is authorized to do.
 */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const inner of Object.values(value)) deepFreeze(inner);
  return Object.freeze(value);
}
