import autocannon, { type Options, type RequestOptions } from 'autocannon';

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
