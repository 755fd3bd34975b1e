import 'server-only';

/**
 * Validates a TTL in milliseconds and rounds it up to whole milliseconds, as Redis' PX requires.
 * Rounding up keeps a fractional TTL from becoming 0, which Redis rejects.
 */
export function toTtlMs(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`ttlMs must be a positive finite number of milliseconds, got ${ttlMs}`);
  }
  return Math.ceil(ttlMs);
}
