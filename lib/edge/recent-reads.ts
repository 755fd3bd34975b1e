import type { RevocationReader } from './upstash-reader';

export interface RecentReadsOptions {
  /** How long an answer is reused, counted from when its read was sent. At most 1 s by default. */
  maxAgeMs?: number;
  /** Keys remembered at once; the oldest leave first. */
  maxEntries?: number;
  /** The clock, in milliseconds (tests inject one). */
  now?: () => number;
}

/** A reader that reuses recent answers; `clear()` forgets them all. */
export interface RecentReads extends RevocationReader {
  clear(): void;
}

/**
 * Wraps the revocation reader so one isolate asks the store at most once per `maxAgeMs` for the
 * same keys (one token's `sid` and `sub`): concurrent requests share the read in flight, and later
 * ones reuse its answer until `maxAgeMs` after the read was sent. A revocation written before that
 * moment is in the answer, so it is honoured by every request from `maxAgeMs` after it was written
 * (the staleness bound), and at once by the isolate that wrote it (`clear()`). A failed read is
 * not remembered: the next request asks again and the store-error policy decides each time.
 *
 * @example
 * const reader = createRecentReads(createUpstashReader({ url, token }));
 * await isRevoked(reader, claims, config); // one MGET per sid and sub per second
 */
export function createRecentReads(
  reader: RevocationReader,
  { maxAgeMs = 1_000, maxEntries = 10_000, now = Date.now }: RecentReadsOptions = {},
): RecentReads {
  const reads = new Map<string, { answer: Promise<(string | null)[]>; sentAt: number }>();
  return {
    getMany(keys) {
      const key = keys.join('\n');
      const known = reads.get(key);
      if (known && now() - known.sentAt < maxAgeMs) return known.answer;
      if (known) reads.delete(key);
      const sentAt = now();
      const entry = { answer: reader.getMany(keys), sentAt };
      entry.answer.catch(() => {
        if (reads.get(key) === entry) reads.delete(key);
      });
      reads.set(key, entry);
      // Expired answers leave from the oldest end; past the bound, the oldest go regardless.
      for (const [oldKey, old] of reads) {
        if (now() - old.sentAt < maxAgeMs && reads.size <= maxEntries) break;
        reads.delete(oldKey);
      }
      return entry.answer;
    },
    clear() {
      reads.clear();
    },
  };
}
