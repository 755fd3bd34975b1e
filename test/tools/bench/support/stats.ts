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

/** The least-squares line through `points`: `y ≈ intercept + slope · x`. */
export function leastSquares(points: ReadonlyArray<{ x: number; y: number }>): {
  slope: number;
  intercept: number;
} {
  const n = points.length;
  if (n < 2) return { slope: Number.NaN, intercept: Number.NaN };
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const { x, y } of points) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  const slope = variance === 0 ? Number.NaN : covariance / variance;
  return { slope, intercept: meanY - slope * meanX };
}
