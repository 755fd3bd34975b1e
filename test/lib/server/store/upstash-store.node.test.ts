import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@/lib/server/store/store';
import { StoreError } from '@/lib/edge/store-error';
import { createUpstashStore, type UpstashStoreOptions } from '@/lib/server/store/upstash-store';
import { startUpstash, type LocalUpstash } from '../../../tools/upstash-endpoint/start-upstash';
import { freePort } from '../../../support/free-port';

const TIMEOUT_MS = 200;
// Far beyond the test timeout: a call only ends before it through the store's own timeout.
const SLOW_MS = 120_000;

let upstash: LocalUpstash;
let redisDown = false;
/** For the calls that must succeed, which a loaded machine can slow past TIMEOUT_MS. */
let patient: Store;

beforeAll(async () => {
  upstash = await startUpstash();
  patient = storeFor({ timeoutMs: 10_000 });
});
afterAll(() => upstash?.close());
afterEach(async () => {
  upstash.rest.setFault(null);
  if (redisDown) {
    await upstash.redis.start();
    redisDown = false;
  }
});

function storeFor(options: Partial<UpstashStoreOptions> = {}): Store {
  return createUpstashStore({
    url: upstash.url,
    token: upstash.token,
    timeoutMs: TIMEOUT_MS,
    ...options,
  });
}

const key = () => `upstash-store:${randomUUID()}`;

/** Every operation, as [name, call], with a write that carries a recognisable secret. */
function operations(store: Store): [string, () => Promise<unknown>][] {
  const k = key();
  return [
    ['setIfAbsent', () => store.setIfAbsent(k, 'secret-refresh-result', 10_000)],
    ['get', () => store.get(k)],
    ['set', () => store.set(k, 'secret-refresh-result', 10_000)],
    ['deleteIfEquals', () => store.deleteIfEquals(k, 'secret-owner')],
    ['getMany', () => store.getMany([k, `${k}:other`])],
  ];
}

async function expectUnavailable(call: () => Promise<unknown>): Promise<StoreError> {
  const error = await call().then(
    () => expect.fail('expected the store to reject'),
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect(error).toMatchObject({ name: 'StoreError', code: 'store_unavailable' });
  expect((error as Error).message).not.toContain('secret');
  return error as StoreError;
}

describe('createUpstashStore', () => {
  it('rejects every operation with store_unavailable when redis-server stops mid-run', async () => {
    const store = storeFor();
    expect(await patient.setIfAbsent(key(), 'owner', 10_000)).toBe(true);

    await upstash.redis.stop();
    redisDown = true;
    for (const [, call] of operations(store)) await expectUnavailable(call);
  });

  it('rejects with store_unavailable when redis-server is killed, and works once it is back', async () => {
    const store = storeFor();
    const lock = key();
    expect(await patient.setIfAbsent(lock, 'owner', 10_000)).toBe(true);

    await upstash.redis.kill();
    redisDown = true;
    await expectUnavailable(() => store.get(lock));

    await upstash.redis.start();
    redisDown = false;
    // A restarted Redis has no keys and no cached scripts: EVALSHA must fall back to EVAL.
    expect(await patient.get(lock)).toBeNull();
    expect(await patient.setIfAbsent(lock, 'owner', 10_000)).toBe(true);
    expect(await patient.deleteIfEquals(lock, 'owner')).toBe(true);
  });

  it('rejects every operation with store_unavailable once the endpoint is slower than timeoutMs', async () => {
    const store = storeFor();
    upstash.rest.setFault({ mode: 'slow', delayMs: SLOW_MS });
    for (const [name, call] of operations(store)) {
      const error = await expectUnavailable(call);
      expect(error.message, name).toMatch(new RegExp(`within ${TIMEOUT_MS} ms$`));
    }
  });

  // The next three fail on an answer, not on the timeout, which is long here so that a loaded
  // machine cannot turn them into timeouts.
  it('rejects every operation with store_unavailable when the endpoint answers 500', async () => {
    upstash.rest.setFault({ mode: 'error' });
    for (const [, call] of operations(patient)) {
      const error = await expectUnavailable(call);
      expect(error.message).toMatch(/^Upstash Redis failed .+: ERR injected fault/);
    }
  });

  it('rejects with store_unavailable when nothing listens at the URL', async () => {
    const store = storeFor({ url: `http://127.0.0.1:${await freePort()}`, timeoutMs: 10_000 });
    const error = await expectUnavailable(() => store.get(key()));
    expect(error.message).toBe('Upstash Redis could not be reached for GET');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('rejects with store_unavailable when the token is refused', async () => {
    const store = storeFor({ token: 'wrong-token', timeoutMs: 10_000 });
    const error = await expectUnavailable(() => store.get(key()));
    expect(error.message).toBe('Upstash Redis failed GET: Unauthorized');
  });

  it('leaves no unhandled rejection behind when it gives up on a request', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const store = storeFor({ timeoutMs: 50 });
      upstash.rest.setFault({ mode: 'slow', delayMs: 150 });
      await Promise.allSettled(operations(store).map(([, call]) => call()));
      // Let the abandoned requests finish and the endpoint answer them.
      await sleep(300);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('uses the default timeout of 300 ms', async () => {
    const store = createUpstashStore({ url: upstash.url, token: upstash.token });
    upstash.rest.setFault({ mode: 'slow', delayMs: SLOW_MS });
    await expect(store.get(key())).rejects.toThrow(
      'Upstash Redis did not answer GET within 300 ms',
    );
  });
});
