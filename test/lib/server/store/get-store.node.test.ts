import type { Redis } from '@upstash/redis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  connectReader,
  startUpstash,
  type LocalUpstash,
} from '../../../tools/upstash-endpoint/start-upstash';

let upstash: LocalUpstash;
let reader: Redis;

beforeAll(async () => {
  upstash = await startUpstash();
  reader = await connectReader(upstash);
});
afterAll(() => upstash?.close());

beforeEach(() => {
  // getStore memoises in module state: each test gets a fresh module.
  vi.resetModules();
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function stubUpstashEnv(url: string, token: string) {
  vi.stubEnv('UPSTASH_REDIS_REST_URL', url);
  vi.stubEnv('UPSTASH_REDIS_REST_TOKEN', token);
  vi.stubEnv('KV_REST_API_URL', '');
  vi.stubEnv('KV_REST_API_TOKEN', '');
}

describe('getStore', () => {
  it('creates the store from process.env on first use and returns that one ever after', async () => {
    stubUpstashEnv(upstash.url, upstash.token);
    const { getStore } = await import('@/lib/server/store/get-store');
    const store = getStore();
    stubUpstashEnv('', '');

    expect(getStore()).toBe(store);
    await store.set('get-store:k', 'shared', 10_000);
    expect(await reader.get('get-store:k')).toBe('shared');
    expect(console.warn).not.toHaveBeenCalled();
  });

  it('falls back to one in-memory store, warning once, when process.env has no Upstash', async () => {
    stubUpstashEnv('', '');
    const { getStore } = await import('@/lib/server/store/get-store');
    await getStore().set('k', 'v', 10_000);

    expect(await getStore().get('k')).toBe('v');
    expect(console.warn).toHaveBeenCalledTimes(1);
  });
});
