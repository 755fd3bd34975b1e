export type { Store } from './store';
export { StoreError } from './store-error';
export { createMemoryStore, type MemoryStoreOptions } from './memory-store';
export { createUpstashStore, type UpstashStoreOptions } from './upstash-store';
export { createStoreFromEnv } from './create-store';
export { getStore } from './get-store';
export { readUpstashCredentials } from './upstash-credentials';
export { createUpstashReader, type UpstashReaderOptions } from './upstash-reader';
