import { vi } from 'vitest';

/**
 * A fresh copy of a module and everything it imports, as a new isolate (a cold start, another
 * instance) would load it: module-level state (configuration, key set, caches, in-flight maps)
 * starts empty and is shared with no other copy. Errors it throws are of its own classes, so
 * compare codes, not `instanceof`.
 *
 * @example
 * const { readSession } = await freshCopy(() => import('@/lib/server/session'));
 */
export async function freshCopy<T>(load: () => Promise<T>): Promise<T> {
  vi.resetModules();
  return load();
}
