import { StoreError } from './store-error';

/** The one read strict revocation makes: several keys in one round trip, null where absent. */
export interface RevocationReader {
  getMany(keys: readonly string[]): Promise<(string | null)[]>;
}

/**
 * How long the revocation read may take by default before it fails and the store-error policy
 * decides (`SESSION_REVOCATION_ON_STORE_ERROR`), as for the store.
 */
export const REVOCATION_READ_TIMEOUT_MS = 300;

export interface UpstashReaderOptions {
  url: string;
  token: string;
  /** Longest a read may take before it rejects. Default {@link REVOCATION_READ_TIMEOUT_MS}. */
  timeoutMs?: number;
}

/**
 * The one read the middleware makes (`getMany`, an MGET), as a single `fetch` to Upstash's REST
 * API. It keeps `@upstash/redis` — about 23 KB gzip, a quarter of the middleware bundle — out of
 * the Edge; everything that writes goes through the full store on the Node side. Without the
 * `Upstash-Encoding` header, Upstash answers plain JSON strings.
 *
 * @example
 * const reader = createUpstashReader({ url, token });
 * const [sid, sub] = await reader.getMany(['revoked:sid:ses_1', 'revoked:sub:usr_1']);
 */
export function createUpstashReader(options: UpstashReaderOptions): RevocationReader {
  const timeoutMs = options.timeoutMs ?? REVOCATION_READ_TIMEOUT_MS;
  return {
    async getMany(keys) {
      if (keys.length === 0) return [];
      let body: unknown;
      try {
        const response = await fetch(options.url, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${options.token}`,
            'Content-Type': 'application/json',
          },
          body: JSON.stringify(['mget', ...keys]),
          signal: AbortSignal.timeout(timeoutMs),
        });
        body = await response.json();
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
      } catch (cause) {
        const timedOut = (cause as { name?: unknown } | null)?.name === 'TimeoutError';
        throw new StoreError(
          timedOut
            ? `Upstash Redis did not answer MGET within ${timeoutMs} ms`
            : 'Upstash Redis could not be reached for MGET',
          { cause },
        );
      }
      const result = (body as { result?: unknown } | null)?.result;
      const valid =
        Array.isArray(result) &&
        result.length === keys.length &&
        result.every((value) => value === null || typeof value === 'string');
      if (!valid) throw new StoreError('Upstash Redis answered MGET with something unexpected');
      return result as (string | null)[];
    },
  };
}
