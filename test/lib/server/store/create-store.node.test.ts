import type { Redis } from '@upstash/redis';
import { randomUUID } from 'node:crypto';
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
  // The one-time warning is module state: each test gets a fresh module.
  vi.resetModules();
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  upstash.rest.setFault(null);
  vi.restoreAllMocks();
});

async function load() {
  const { createStoreFromEnv } = await import('@/lib/server/store/create-store');
  const { AuthError } = await import('@/lib/edge/errors');
  return { createStoreFromEnv, AuthError };
}

/** True when a value written through `store` shows up in the local Redis. */
async function writesToRedis(store: { set(k: string, v: string, ttl: number): Promise<void> }) {
  const key = `create-store:${randomUUID()}`;
  await store.set(key, 'written', 10_000);
  return (await reader.get(key)) === 'written';
}

const EXAMPLE_URL = 'https://eu1-example-12345.upstash.io';

describe('createStoreFromEnv', () => {
  it('uses an in-memory store when no Upstash variables are set, and warns once', async () => {
    const { createStoreFromEnv } = await load();
    const store = createStoreFromEnv({});
    createStoreFromEnv({ UPSTASH_REDIS_REST_URL: '', KV_REST_API_TOKEN: '  ' });

    expect(console.warn).toHaveBeenCalledTimes(1);
    expect(console.warn).toHaveBeenCalledWith(
      expect.stringMatching(/UPSTASH_REDIS_REST_URL.*in-memory store.*single instance only/),
    );
    expect(await writesToRedis(store)).toBe(false);
    expect(await store.get('anything')).toBeNull();
  });

  it('uses Upstash Redis when UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are set', async () => {
    const { createStoreFromEnv } = await load();
    const store = createStoreFromEnv({
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
    });
    expect(await writesToRedis(store)).toBe(true);
    expect(console.warn).not.toHaveBeenCalled();
  });

  it("uses Upstash Redis when Vercel's KV_REST_API_URL and KV_REST_API_TOKEN are set", async () => {
    const { createStoreFromEnv } = await load();
    const store = createStoreFromEnv({
      KV_REST_API_URL: upstash.url,
      KV_REST_API_TOKEN: upstash.token,
    });
    expect(await writesToRedis(store)).toBe(true);
  });

  it('prefers the UPSTASH_ pair when the KV_ pair is set too', async () => {
    const { createStoreFromEnv } = await load();
    const store = createStoreFromEnv({
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
      KV_REST_API_URL: upstash.url,
      KV_REST_API_TOKEN: 'stale-token',
    });
    expect(await writesToRedis(store)).toBe(true);
  });

  it('trims whitespace and newlines pasted around the values', async () => {
    const { createStoreFromEnv } = await load();
    const store = createStoreFromEnv({
      UPSTASH_REDIS_REST_URL: ` ${upstash.url}\n`,
      UPSTASH_REDIS_REST_TOKEN: `${upstash.token}\n`,
    });
    expect(await writesToRedis(store)).toBe(true);
  });

  it('passes timeoutMs on to the Upstash store', async () => {
    const { createStoreFromEnv } = await load();
    const store = createStoreFromEnv(
      { UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: upstash.token },
      { timeoutMs: 50 },
    );
    upstash.rest.setFault({ mode: 'slow', delayMs: 1_000 });
    await expect(store.getMany(['k'])).rejects.toThrow(
      'Upstash Redis did not answer MGET within 50 ms',
    );
  });

  it.each([
    [
      { UPSTASH_REDIS_REST_URL: EXAMPLE_URL },
      'UPSTASH_REDIS_REST_TOKEN is missing while UPSTASH_REDIS_REST_URL is set. ' +
        'Example: UPSTASH_REDIS_REST_TOKEN=<REST token from the Upstash console>',
    ],
    [
      { UPSTASH_REDIS_REST_TOKEN: 'token' },
      'UPSTASH_REDIS_REST_URL is missing while UPSTASH_REDIS_REST_TOKEN is set. ' +
        `Example: UPSTASH_REDIS_REST_URL=${EXAMPLE_URL}`,
    ],
    [
      { KV_REST_API_URL: EXAMPLE_URL },
      'KV_REST_API_TOKEN is missing while KV_REST_API_URL is set. ' +
        'Example: KV_REST_API_TOKEN=<REST token from the Upstash console>',
    ],
    [
      { UPSTASH_REDIS_REST_URL: EXAMPLE_URL, KV_REST_API_URL: EXAMPLE_URL, KV_REST_API_TOKEN: 't' },
      'UPSTASH_REDIS_REST_TOKEN is missing while UPSTASH_REDIS_REST_URL is set. ' +
        'Example: UPSTASH_REDIS_REST_TOKEN=<REST token from the Upstash console>',
    ],
  ])('refuses half a pair (%o), naming the missing variable', async (env, message) => {
    const { createStoreFromEnv, AuthError } = await load();
    expect(() => createStoreFromEnv(env)).toThrow(new AuthError('config_invalid', message));
    expect(() => createStoreFromEnv(env)).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
  });

  it.each([
    ['http://eu1-example-12345.upstash.io', 'must use https (plain http only on loopback)'],
    ['ftp://127.0.0.1', 'must use https (plain http only on loopback)'],
    ['http://127.0.0.1.example.com', 'must use https (plain http only on loopback)'],
    ['eu1-example-12345.upstash.io', 'is not a URL'],
  ])('refuses %s as a REST URL', async (url, problem) => {
    const { createStoreFromEnv } = await load();
    for (const [urlVariable, tokenVariable] of [
      ['UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN'],
      ['KV_REST_API_URL', 'KV_REST_API_TOKEN'],
    ]) {
      expect(() => createStoreFromEnv({ [urlVariable!]: url, [tokenVariable!]: 'token' })).toThrow(
        `${urlVariable} ${problem}. Example: ${urlVariable}=${EXAMPLE_URL}`,
      );
    }
  });

  it.each([
    'https://eu1-example-12345.upstash.io',
    'http://localhost:8079',
    'http://127.0.0.1:8079',
    'http://127.8.9.10',
    'http://[::1]:8079',
  ])('accepts %s as a REST URL', async (url) => {
    const { createStoreFromEnv } = await load();
    expect(() =>
      createStoreFromEnv({ UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: 'token' }),
    ).not.toThrow();
    expect(console.warn).not.toHaveBeenCalled();
  });
});
