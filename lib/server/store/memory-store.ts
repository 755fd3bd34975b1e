import 'server-only';
import type { Store } from './store';
import { toTtlMs } from './ttl';

export interface MemoryStoreOptions {
  /** Most entries held at once. Default 10 000. */
  maxEntries?: number;
}

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * A {@link Store} in this isolate's memory. It coordinates nothing beyond this one instance, so it
 * suits development and single-instance deployments only.
 *
 * When full, it drops expired entries and then the entry closest to expiring: locks and refresh
 * results live seconds, revocations as long as the session, so the entry that goes is the one
 * whose loss matters least.
 *
 * @example
 * const store = createMemoryStore({ maxEntries: 1_000 });
 * await store.setIfAbsent('refresh:lock:sid_1', 'owner-a', 10_000); // true
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const maxEntries = options.maxEntries ?? 10_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }
  const entries = new Map<string, Entry>();

  function live(key: string): Entry | undefined {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function put(key: string, value: string, ttlMs: number): void {
    const expiresAt = Date.now() + ttlMs;
    if (!entries.has(key) && entries.size >= maxEntries) makeRoom();
    entries.set(key, { value, expiresAt });
  }

  function makeRoom(): void {
    const now = Date.now();
    let soonest: { key: string; expiresAt: number } | undefined;
    for (const [key, entry] of entries) {
      if (entry.expiresAt <= now) entries.delete(key);
      else if (!soonest || entry.expiresAt < soonest.expiresAt) soonest = { key, ...entry };
    }
    if (soonest && entries.size >= maxEntries) entries.delete(soonest.key);
  }

  return {
    async setIfAbsent(key, value, ttlMs) {
      const ttl = toTtlMs(ttlMs);
      const current = live(key);
      if (current) return current.value === value;
      put(key, value, ttl);
      return true;
    },
    async get(key) {
      return live(key)?.value ?? null;
    },
    async set(key, value, ttlMs) {
      put(key, value, toTtlMs(ttlMs));
    },
    async deleteIfEquals(key, expected) {
      if (live(key)?.value !== expected) return false;
      entries.delete(key);
      return true;
    },
    async getMany(keys) {
      return keys.map((key) => live(key)?.value ?? null);
    },
  };
}
