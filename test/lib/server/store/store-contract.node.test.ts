import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '@/lib/server/store/memory-store';
import type { Store } from '@/lib/server/store/store';
import { createUpstashStore } from '@/lib/server/store/upstash-store';
import { countingRedeem } from '../../../support/counting-redeem';
import { freshCopy } from '../../../support/fresh-copy';
import { startUpstash, type LocalUpstash } from '../../../tools/upstash-endpoint/start-upstash';

const secrets = [process.env.SESSION_COOKIE_SECRET!];

let upstash: LocalUpstash;
beforeAll(async () => {
  upstash = await startUpstash();
});
afterAll(() => upstash?.close());

// Every implementation must pass the same suite: the app cannot tell them apart, except that the
// in-memory one coordinates a single instance.
describe.each([
  { name: 'the in-memory store', create: () => createMemoryStore() },
  {
    name: 'the Upstash store on a real redis-server',
    // Generous: this suite is about semantics; the timeout has its own tests.
    create: () => createUpstashStore({ url: upstash.url, token: upstash.token, timeoutMs: 5_000 }),
  },
])('$name', ({ create }) => {
  let store: Store;
  let key: (name: string) => string;

  beforeEach(() => {
    store = create();
    const prefix = randomUUID();
    key = (name) => `${prefix}:${name}`;
  });

  it('answers null for a key never set', async () => {
    expect(await store.get(key('missing'))).toBeNull();
  });

  it('reads several keys in one call, null where absent', async () => {
    await store.set(key('a'), 'one', 10_000);
    await store.set(key('c'), 'three', 10_000);
    expect(await store.getMany([key('a'), key('b'), key('c')])).toEqual(['one', null, 'three']);
    expect(await store.getMany([])).toEqual([]);
  });

  it('gets what was set, and replaces it on the next set', async () => {
    await store.set(key('k'), 'one', 10_000);
    expect(await store.get(key('k'))).toBe('one');
    await store.set(key('k'), 'two', 10_000);
    expect(await store.get(key('k'))).toBe('two');
  });

  it.each([
    [
      'JSON',
      JSON.stringify({ jwks: { keys: [{ kid: 'snk_1', kty: 'RSA' }] }, uat: 1_700_000_000 }),
    ],
    ['a number', '123'],
    ['a JSON literal', 'null'],
    ['valid base64', 'aGVsbG8='],
    ['"OK"', 'OK'],
    ['unicode', 'ünïcode ✓ 🚀'],
    ['an empty string', ''],
  ])('keeps %s as the exact string it was given', async (_, value) => {
    await store.set(key('value'), value, 10_000);
    expect(await store.get(key('value'))).toBe(value);
  });

  it('lets setIfAbsent set a missing key, but not replace an existing one', async () => {
    expect(await store.setIfAbsent(key('lock'), 'owner-a', 10_000)).toBe(true);
    expect(await store.setIfAbsent(key('lock'), 'owner-b', 10_000)).toBe(false);
    expect(await store.get(key('lock'))).toBe('owner-a');
  });

  it('lets exactly one of 50 concurrent setIfAbsent calls take a lock', async () => {
    const owners = Array.from({ length: 50 }, (_, i) => `owner-${i}`);
    const won = await Promise.all(owners.map((o) => store.setIfAbsent(key('lock'), o, 10_000)));
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(await store.get(key('lock'))).toBe(owners[won.indexOf(true)]);
  });

  it('forgets entries once their TTL has passed', async () => {
    await store.set(key('short'), 'v', 100);
    await store.setIfAbsent(key('lock'), 'owner-a', 100);
    await store.set(key('long'), 'v', 10_000);
    await sleep(150);
    expect(await store.get(key('short'))).toBeNull();
    expect(await store.get(key('short'))).toBeNull();
    expect(await store.setIfAbsent(key('lock'), 'owner-b', 10_000)).toBe(true);
    expect(await store.get(key('long'))).toBe('v');
  });

  it('restarts the TTL when a key is set again', async () => {
    await store.set(key('k'), 'one', 100);
    await store.set(key('k'), 'two', 10_000);
    await sleep(150);
    expect(await store.get(key('k'))).toBe('two');
  });

  it('deletes with deleteIfEquals only when the value is the expected one', async () => {
    await store.set(key('lock'), 'owner-a', 10_000);
    expect(await store.deleteIfEquals(key('lock'), 'owner-b')).toBe(false);
    expect(await store.deleteIfEquals(key('lock'), 'owner-')).toBe(false);
    expect(await store.get(key('lock'))).toBe('owner-a');
    expect(await store.deleteIfEquals(key('lock'), 'owner-a')).toBe(true);
    expect(await store.get(key('lock'))).toBeNull();
    expect(await store.deleteIfEquals(key('lock'), 'owner-a')).toBe(false);
    expect(await store.deleteIfEquals(key('never-set'), '')).toBe(false);
  });

  it('does not let a lock holder whose lock expired release the next holder', async () => {
    expect(await store.setIfAbsent(key('lock'), 'owner-a', 100)).toBe(true);
    await sleep(150);
    expect(await store.setIfAbsent(key('lock'), 'owner-b', 10_000)).toBe(true);
    expect(await store.deleteIfEquals(key('lock'), 'owner-a')).toBe(false);
    expect(await store.get(key('lock'))).toBe('owner-b');
  });

  it('lets the real refresh single-flight redeem once for 10 callers on three instances', async () => {
    // Each with its own copy of the unit (and its in-process map), all sharing this store.
    const loadInstance = () =>
      freshCopy(async () => ({
        flight: await import('@/lib/server/refresh-single-flight'),
        errors: await import('@/lib/edge/errors'),
      }));
    const instances = [await loadInstance(), await loadInstance(), await loadInstance()];
    const scalekit = countingRedeem({ delayMs: 50 });
    const refreshToken = key('refresh-token');
    const pairs = await Promise.all(
      Array.from({ length: 10 }, (_, i) => {
        const { flight, errors } = instances[i % instances.length]!;
        return flight.singleFlightRefresh(refreshToken, scalekit.redeemWith(errors), {
          store,
          secrets,
        });
      }),
    );
    expect(scalekit.calls).toEqual([refreshToken]);
    expect(new Set(pairs.map((pair) => pair.accessToken))).toEqual(
      new Set([`at_1_${refreshToken}`]),
    );
    const hash = createHash('sha256').update(refreshToken).digest('hex');
    expect(await store.get(`refresh:lock:${hash}`)).toBeNull();
    expect(await store.get(`refresh:result:${hash}`)).not.toBeNull();
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses a TTL of %s with a RangeError',
    async (ttlMs) => {
      await expect(store.set(key('k'), 'v', ttlMs)).rejects.toThrow(RangeError);
      await expect(store.setIfAbsent(key('k'), 'v', ttlMs)).rejects.toThrow(RangeError);
      expect(await store.get(key('k'))).toBeNull();
    },
  );

  it('accepts a fractional TTL, which Redis alone would refuse', async () => {
    await store.set(key('k'), 'v', 10_000.5);
    expect(await store.get(key('k'))).not.toBeNull();
  });
});
