import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '@/lib/edge/store/store-error';
import { createUpstashStore } from '@/lib/edge/store/upstash-store';
import { startUpstash, type LocalUpstash } from '../../../upstash/start-upstash';

let upstash: LocalUpstash;
beforeAll(async () => {
  upstash = await startUpstash();
});
afterAll(() => upstash?.close());

describe('createUpstashStore in the edge runtime', () => {
  it('runs every operation', async () => {
    expect(typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime).toBe('string');
    const store = createUpstashStore({ url: upstash.url, token: upstash.token, timeoutMs: 10_000 });
    expect(await store.setIfAbsent('edge:lock', 'owner', 10_000)).toBe(true);
    await store.set('edge:result', 'tokens', 10_000);
    expect(await store.get('edge:result')).toBe('tokens');
    expect(await store.get('edge:result')).not.toBeNull();
    expect(await store.deleteIfEquals('edge:lock', 'owner')).toBe(true);
  });

  it('rejects with store_unavailable when the endpoint is slower than its timeout', async () => {
    const store = createUpstashStore({ url: upstash.url, token: upstash.token, timeoutMs: 100 });
    upstash.rest.setFault({ mode: 'slow', delayMs: 1_000 });
    try {
      await expect(store.get('edge:result')).rejects.toThrow(StoreError);
    } finally {
      upstash.rest.setFault(null);
    }
  });
});
