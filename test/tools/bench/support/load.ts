import autocannon, { type Options, type RequestOptions } from 'autocannon';
import { median, ratio } from './stats';

/** One autocannon run, reduced to what the report shows. */
export interface LoadRun {
  label: string;
  requests: number;
  seconds: number;
  rps: number;
  /** autocannon records latency in whole milliseconds. */
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  /** Socket errors and timeouts. */
  errors: number;
  statusCodes: Record<string, number>;
}

export interface LoadTarget {
  label: string;
  url: string;
  headers?: Record<string, string>;
  requests?: RequestOptions[];
}

/** Runs autocannon once against `target`, for `duration` seconds or `amount` requests. */
export async function load(
  target: LoadTarget,
  options: Pick<Options, 'connections' | 'duration' | 'amount'>,
): Promise<LoadRun> {
  const result = await autocannon({
    url: target.url,
    headers: target.headers,
    requests: target.requests,
    timeout: 30,
    ...options,
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) statusCodes[code] = count;
  return {
    label: target.label,
    requests: result.requests.total,
    seconds: result.duration,
    rps: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statusCodes,
  };
}

/** Medians over the rounds of an A/B comparison, and B relative to A. */
export interface AbComparison {
  name: string;
  a: string;
  b: string;
  rounds: number;
  secondsPerRun: number;
  connections: number;
  runs: { a: LoadRun[]; b: LoadRun[] };
  median: { a: AbSummary; b: AbSummary };
  /** `a / b` for rps, p50 and p99: A is the variant under test, B its baseline. */
  ratios: { rps: number; p50: number; p99: number };
}

interface AbSummary {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

/**
 * Alternates A and B (A, B, A, B, …) for `rounds` rounds after one short unrecorded warm-up of
 * each, so both see the same drift of a shared, noisy machine; reports the medians.
 */
export async function compare(
  name: string,
  a: LoadTarget,
  b: LoadTarget,
  options: { rounds: number; seconds: number; connections: number; warmupSeconds: number },
): Promise<AbComparison> {
  const { connections } = options;
  for (const target of [a, b]) await load(target, { connections, duration: options.warmupSeconds });
  const runs = { a: [] as LoadRun[], b: [] as LoadRun[] };
  for (let round = 0; round < options.rounds; round++) {
    runs.a.push(await load(a, { connections, duration: options.seconds }));
    runs.b.push(await load(b, { connections, duration: options.seconds }));
  }
  const summary = (list: LoadRun[]): AbSummary => ({
    rps: median(list.map((run) => run.rps)),
    p50Ms: median(list.map((run) => run.p50Ms)),
    p99Ms: median(list.map((run) => run.p99Ms)),
    non2xx: list.reduce((sum, run) => sum + run.non2xx, 0),
    errors: list.reduce((sum, run) => sum + run.errors, 0),
  });
  const medians = { a: summary(runs.a), b: summary(runs.b) };
  return {
    name,
    a: a.label,
    b: b.label,
    rounds: options.rounds,
    secondsPerRun: options.seconds,
    connections,
    runs,
    median: medians,
    ratios: {
      rps: ratio(medians.a.rps, medians.b.rps),
      p50: ratio(medians.a.p50Ms, medians.b.p50Ms),
      p99: ratio(medians.a.p99Ms, medians.b.p99Ms),
    },
  };
}
