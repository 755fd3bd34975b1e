import { AuthError } from './errors';

/**
 * The store could not answer: unreachable, too slow, or failing. An {@link AuthError} with code
 * `store_unavailable`; callers decide whether that fails open or closed. Messages name the
 * operation, never keys or values.
 *
 * @example
 * try {
 *   revoked = (await store.get(`revoked:${sid}`)) !== null;
 * } catch (err) {
 *   if (err instanceof StoreError) revoked = config.revocationOnStoreError === 'deny';
 *   else throw err;
 * }
 */
export class StoreError extends AuthError {
  override readonly name = 'StoreError';
  override readonly code = 'store_unavailable';

  constructor(message: string, options?: { cause?: unknown }) {
    super('store_unavailable', message, options);
  }
}
