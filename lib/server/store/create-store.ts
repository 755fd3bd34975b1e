import 'server-only';
import { createMemoryStore } from './memory-store';
import type { Store } from './store';
import { readUpstashCredentials } from '@/lib/edge/upstash-credentials';
import { createUpstashStore, type UpstashStoreOptions } from './upstash-store';

type Env = Readonly<Record<string, string | undefined>>;

let warnedAboutMemory = false;

/**
 * Picks the store from the environment: Upstash Redis when `UPSTASH_REDIS_REST_URL` and
 * `UPSTASH_REDIS_REST_TOKEN` (or `KV_REST_API_URL` and `KV_REST_API_TOKEN`) are set, otherwise an
 * in-memory store, with a one-time warning that it coordinates this instance only.
 *
 * Throws an {@link AuthError} `config_invalid` naming the variable when only half of a pair is set
 * or the URL is not https (plain http is allowed on loopback, for local endpoints).
 *
 * @example
 * const store = createStoreFromEnv(process.env, { timeoutMs: 500 });
 */
export function createStoreFromEnv(
  env: Env,
  options: Pick<UpstashStoreOptions, 'timeoutMs' | 'retries'> = {},
): Store {
  const upstash = readUpstashCredentials(env);
  if (upstash) return createUpstashStore({ ...options, ...upstash });

  if (!warnedAboutMemory) {
    warnedAboutMemory = true;
    console.warn(
      'No Upstash Redis configured (UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN, or ' +
        'KV_REST_API_URL and KV_REST_API_TOKEN): using an in-memory store, which coordinates ' +
        'refresh and revocation for this single instance only.',
    );
  }
  return createMemoryStore();
}
