import 'server-only';
import { createStoreFromEnv } from './create-store';
import type { Store } from './store';

/**
 * The Node routes allow Redis this long per operation (the middleware's revocation read has its
 * own 300 ms): refresh coordination is worth waiting for, since losing it can cost a session.
 */
const NODE_STORE_TIMEOUT_MS = 1_000;

let store: Store | undefined;

/**
 * The process-wide store, created from `process.env` on first use by {@link createStoreFromEnv}.
 * One instance, so the in-memory fallback really is shared by everything in this isolate.
 *
 * @example
 * const revoked = (await getStore().get(`revoked:${sid}`)) !== null;
 */
export function getStore(): Store {
  store ??= createStoreFromEnv(process.env, { timeoutMs: NODE_STORE_TIMEOUT_MS });
  return store;
}
