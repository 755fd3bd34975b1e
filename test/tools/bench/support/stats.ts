/** Small, dependency-free statistics for the bench's repeated runs. */

/** The value at quantile `q` (0…1) of `values`, interpolating linearly between order statistics. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower]!;
  const high = sorted[upper]!;
  return low + (high - low) * (position - lower);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** `a / b`, or NaN when `b` is zero or missing, so a broken run never reads as a ratio of 0. */
export function ratio(a: number, b: number): number {
  return b === 0 || !Number.isFinite(b) ? Number.NaN : a / b;
}

/** Summary of a list of durations in milliseconds. */
export interface DurationSummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
}

export function summarize(durationsMs: readonly number[]): DurationSummary {
  const sum = durationsMs.reduce((total, value) => total + value, 0);
  return {
    count: durationsMs.length,
    p50Ms: quantile(durationsMs, 0.5),
    p99Ms: quantile(durationsMs, 0.99),
    meanMs: durationsMs.length ? sum / durationsMs.length : Number.NaN,
    minMs: Math.min(...durationsMs),
    maxMs: Math.max(...durationsMs),
  };
}
