import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '@/lib/edge/store-error';
import { createUpstashReader } from '@/lib/edge/upstash-reader';
import { createUpstashStore } from '@/lib/server/store/upstash-store';
import { startUpstash, type LocalUpstash } from '../../tools/upstash-endpoint/start-upstash';

let upstash: LocalUpstash;

beforeAll(async () => {
  upstash = await startUpstash();
});
afterEach(() => upstash.rest.setFault(null));
afterAll(() => upstash?.close());

const reader = (options: { token?: string; timeoutMs?: number } = {}) =>
  createUpstashReader({ url: upstash.url, token: upstash.token, timeoutMs: 10_000, ...options });

async function expectUnavailable(read: Promise<unknown>, message: string) {
  const error = await read.then(
    () => expect.fail('expected the read to fail'),
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect(error).toMatchObject({ code: 'store_unavailable', message });
}

describe('createUpstashReader', () => {
  it('reads what the full store wrote, null where absent, strings as they are', async () => {
    const store = createUpstashStore({ url: upstash.url, token: upstash.token, timeoutMs: 10_000 });
    // "1" would be a number, and "T0s=" base64 of "OK", to a careless decoder.
    await store.set('reader:a', '1', 10_000);
    await store.set('reader:c', 'T0s=', 10_000);
    expect(await reader().getMany(['reader:a', 'reader:b', 'reader:c'])).toEqual([
      '1',
      null,
      'T0s=',
    ]);
    expect(await reader().getMany([])).toEqual([]);
  });

  it('fails with store_unavailable when the endpoint answers 500', async () => {
    upstash.rest.setFault({ mode: 'error' });
    await expectUnavailable(reader().getMany(['k']), 'Upstash Redis could not be reached for MGET');
  });

  it('fails with store_unavailable once the endpoint is slower than its timeout', async () => {
    upstash.rest.setFault({ mode: 'slow', delayMs: 120_000 });
    await expectUnavailable(
      reader({ timeoutMs: 200 }).getMany(['k']),
      'Upstash Redis did not answer MGET within 200 ms',
    );
  });

  it('fails with store_unavailable when the token is refused', async () => {
    await expectUnavailable(
      reader({ token: 'wrong' }).getMany(['k']),
      'Upstash Redis could not be reached for MGET',
    );
  });
});
