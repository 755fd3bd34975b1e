import type { EdgeConfig } from '../../edge/config';
import { revocationKeys } from '../../edge/revocation';
import { StoreError } from '../../edge/store-error';
import { createUpstashReader } from '../../edge/upstash-reader';
import { ask, parseJson } from './http';
import type { CheckResult } from './report';

/** Enough reads for a median that one slow request does not move. */
const SAMPLES = 5;

const CONSOLE = 'the Upstash console (REST API section of the database)';

/**
 * PINGs Upstash's REST API (to tell a wrong token from a wrong URL), then times the one read
 * strict revocation makes in the middleware: an MGET of a session's and a user's revocation keys,
 * through the middleware's own reader.
 *
 * @example
 * const result = await checkUpstash({ upstash: config.upstash, revocation: 'off' }, 5000);
 */
export async function checkUpstash(
  { upstash, revocation }: Pick<EdgeConfig, 'upstash' | 'revocation'>,
  timeoutMs: number,
): Promise<CheckResult> {
  if (upstash === null) {
    return {
      id: 'upstash',
      status: 'pass',
      summary:
        'not configured: an in-memory store coordinates refresh and sign-out on one instance',
    };
  }
  // Userinfo in the URL would be a credential: only the origin is ever printed.
  const where = new URL(upstash.url).origin;
  const outcome = await ask(
    new URL(upstash.url),
    {
      method: 'POST',
      headers: { authorization: `Bearer ${upstash.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(['ping']),
    },
    timeoutMs,
  );
  if ('unreachable' in outcome) {
    return fail(
      `${where} ${outcome.unreachable}`,
      `Copy the REST URL (UPSTASH_REDIS_REST_URL or KV_REST_API_URL) from ${CONSOLE}.`,
    );
  }
  const { answer } = outcome;
  if (answer.status === 401 || answer.status === 403) {
    return fail(
      `${where} refused the token (HTTP ${answer.status})`,
      `Copy the REST token (UPSTASH_REDIS_REST_TOKEN or KV_REST_API_TOKEN), not the read-only one, from ${CONSOLE}.`,
    );
  }
  const result = (parseJson(answer) as { result?: unknown } | undefined)?.result;
  if (answer.status !== 200 || result !== 'PONG') {
    return fail(
      `${where} answered PING with HTTP ${answer.status}, not as Upstash's REST API does`,
      `Copy the REST URL (UPSTASH_REDIS_REST_URL or KV_REST_API_URL) from ${CONSOLE}.`,
    );
  }

  const reader = createUpstashReader({ ...upstash, timeoutMs });
  const keys = [revocationKeys.session('ses_doctor'), revocationKeys.subject('usr_doctor')];
  const times: number[] = [];
  try {
    for (let i = 0; i < SAMPLES; i++) {
      const started = performance.now();
      await reader.getMany(keys);
      times.push(performance.now() - started);
    }
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    return fail(
      `${where} answered PING but not the MGET strict revocation reads with`,
      'Run the doctor again; if it persists, check the database in the Upstash console.',
    );
  }
  const roundTripMs = Math.round(median(times) * 10) / 10;
  return {
    id: 'upstash',
    status: 'pass',
    summary: `${where} answers; one MGET takes ${roundTripMs} ms from here (median of ${SAMPLES}), which SESSION_REVOCATION=strict adds to a session's first protected request of each second in each isolate (${revocation === 'strict' ? 'it is on' : 'it is off'})`,
    measured: { roundTripMs },
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function fail(summary: string, fix: string): CheckResult {
  return { id: 'upstash', status: 'fail', summary, fix };
}
