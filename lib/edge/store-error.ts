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

  /**
   * True when the store did not answer in time: the operation may still have taken effect (an
   * idempotent one is safe to retry); false when it failed or could not be sent.
   */
  readonly timedOut: boolean;

  constructor(message: string, options?: { cause?: unknown; timedOut?: boolean }) {
    super('store_unavailable', message, options);
    this.timedOut = options?.timedOut ?? false;
  }
}
