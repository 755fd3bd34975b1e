import 'server-only';
import { Redis, errors } from '@upstash/redis';
import type { Store } from './store';
import { StoreError } from '@/lib/edge/store-error';
import { toTtlMs } from './ttl';

export interface UpstashStoreOptions {
  /** REST URL, e.g. `https://eu1-example-12345.upstash.io`. */
  url: string;
  /** REST token. */
  token: string;
  /** Longest any operation may take, retries included, before it rejects. Default 300 ms. */
  timeoutMs?: number;
  /** Further attempts after a network error (never after an answer). Default 1. */
  retries?: number;
}

// Atomic and idempotent SET NX PX: a retry whose first attempt landed (its answer lost to a
// network error or a timeout) finds its own value and still owns the key.
const SET_IF_ABSENT = `
local current = redis.call('GET', KEYS[1])
if current == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if current == ARGV[1] then
  return 1
end
return 0
`;

// Atomic compare-and-delete: a GET then DEL from here could delete a lock that expired in between
// and now belongs to someone else.
const DELETE_IF_EQUALS = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/**
 * A {@link Store} on Upstash Redis over its REST API, usable from the Edge and Node alike. Every
 * operation rejects with {@link StoreError} `store_unavailable` once `timeoutMs` has passed, or
 * earlier when Upstash fails or cannot be reached.
 *
 * @example
 * const store = createUpstashStore({
 *   url: 'https://eu1-example-12345.upstash.io',
 *   token: process.env.UPSTASH_REDIS_REST_TOKEN!,
 *   timeoutMs: 500,
 * });
 * await store.set('jwks', JSON.stringify({ jwks, uat }), 24 * 3_600_000);
 */
export function createUpstashStore(options: UpstashStoreOptions): Store {
  const timeoutMs = options.timeoutMs ?? 300;
  const redis = new Redis({
    url: options.url,
    token: options.token,
    enableTelemetry: false,
    // One HTTP request per operation, so one slow or failing operation cannot take others with it.
    enableAutoPipelining: false,
    // Values are opaque strings; by default the client JSON-parses them ("123" would become 123).
    automaticDeserialization: false,
    // `retry: false` still makes two attempts in @upstash/redis 1.39; `retries: 0` makes one.
    retry: { retries: options.retries ?? 1, backoff: () => 0 },
    // A function: given an AbortSignal object, an aborted request resolves with a made-up null
    // (a "no" to SET NX) instead of failing. This also frees the connection when we give up.
    signal: () => AbortSignal.timeout(timeoutMs),
  });
  const setIfAbsentScript = redis.createScript<number>(SET_IF_ABSENT);
  const deleteIfEqualsScript = redis.createScript<number>(DELETE_IF_EQUALS);

  function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new StoreError(`Upstash Redis did not answer ${operation} within ${timeoutMs} ms`, {
              timedOut: true,
            }),
          ),
        timeoutMs,
      );
      run()
        .then(resolve, (error: unknown) => reject(unavailable(operation, error, timeoutMs)))
        .finally(() => clearTimeout(timer));
    });
  }

  return {
    async setIfAbsent(key, value, ttlMs) {
      const px = toTtlMs(ttlMs);
      return (await call('SET NX', () => setIfAbsentScript.exec([key], [value, String(px)]))) === 1;
    },
    get(key) {
      return call('GET', () => redis.get<string>(key));
    },
    async set(key, value, ttlMs) {
      const px = toTtlMs(ttlMs);
      await call('SET', () => redis.set(key, value, { px }));
    },
    async deleteIfEquals(key, expected) {
      return (
        (await call('compare-and-delete', () => deleteIfEqualsScript.exec([key], [expected]))) === 1
      );
    },
    async getMany(keys) {
      if (keys.length === 0) return [];
      return call('MGET', () => redis.mget<(string | null)[]>(...keys));
    },
  };
}

function unavailable(operation: string, error: unknown, timeoutMs: number): StoreError {
  if (error instanceof errors.UpstashError) {
    // Drop the ", command was: [...]" the client appends: it holds the values being written.
    const reason = error.message.replace(/, command was: [\s\S]*$/, '');
    return new StoreError(`Upstash Redis failed ${operation}: ${reason}`);
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new StoreError(`Upstash Redis did not answer ${operation} within ${timeoutMs} ms`, {
      timedOut: true,
    });
  }
  return new StoreError(`Upstash Redis could not be reached for ${operation}`, { cause: error });
}
