import type { EdgeConfig } from '../config';
import type { Store } from './store';
import { StoreError } from './store-error';
import { createUpstashReader } from './upstash-reader';

let reader: Pick<Store, 'getMany'> | undefined;

/**
 * What the middleware reads the revocation list with: Upstash over one `fetch`. Strict revocation
 * needs Upstash (the configuration refuses it otherwise): the Edge and Node never share memory, so
 * an in-memory list written by `/logout` would be invisible here.
 */
export function revocationReader(config: Pick<EdgeConfig, 'upstash'>): Pick<Store, 'getMany'> {
  if (!config.upstash) throw new StoreError('strict revocation needs Upstash Redis');
  reader ??= createUpstashReader(config.upstash);
  return reader;
}
