import 'server-only';
import { createStoreFromEnv } from './create-store';
import type { Store } from './store';

let store: Store | undefined;

/**
 * The process-wide store, created from `process.env` on first use by {@link createStoreFromEnv}.
 * One instance, so the in-memory fallback really is shared by everything in this isolate.
 *
 * @example
 * const revoked = (await getStore().get(`revoked:${sid}`)) !== null;
 */
export function getStore(): Store {
  store ??= createStoreFromEnv(process.env);
  return store;
}
