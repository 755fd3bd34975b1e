import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from '@upstash/redis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { seal, unseal } from '@/lib/edge/seal';
import { singleFlightRefresh, type SingleFlightOptions } from '@/lib/server/refresh-single-flight';
import { createMemoryStore } from '@/lib/server/store/memory-store';
import type { Store } from '@/lib/server/store/store';
import { createUpstashStore } from '@/lib/server/store/upstash-store';
import { captureAuthLog } from '../../support/auth-log';
import { countingRedeem, type CountingRedeem } from '../../support/counting-redeem';
import { freshCopy } from '../../support/fresh-copy';
import { outcome } from '../../support/outcome';
import {
  connectReader,
  startUpstash,
  type LocalUpstash,
} from '../../tools/upstash-endpoint/start-upstash';

const secrets = [process.env.SESSION_COOKIE_SECRET!];

let upstash: LocalUpstash;
let redis: Redis;
beforeAll(async () => {
  upstash = await startUpstash();
  redis = await connectReader(upstash);
});
afterEach(() => {
  upstash.rest.setFault(null);
  vi.restoreAllMocks();
});
afterAll(() => upstash?.close());

/** A refresh token of its own for each test: the store is shared by the whole file. */
const newRefreshToken = () => `rt_${randomUUID()}`;
/** Where the unit keeps a token's lock and result (keyed by the token's SHA-256). */
const keysOf = (refreshToken: string) => {
  const hash = createHash('sha256').update(refreshToken).digest('hex');
  return { lock: `refresh:lock:${hash}`, result: `refresh:result:${hash}` };
};

/**
 * One app instance: its own copy of the unit (its own in-process map), its own error class and
 * its own Upstash client, sharing only the redis-server behind the Upstash stand-in.
 */
async function loadInstance() {
  return freshCopy(async () => {
    const [flight, errors, upstashStore] = await Promise.all([
      import('@/lib/server/refresh-single-flight'),
      import('@/lib/edge/errors'),
      import('@/lib/server/store/upstash-store'),
    ]);
    const store = upstashStore.createUpstashStore({
      url: upstash.url,
      token: upstash.token,
      timeoutMs: 2_000,
    });
    return {
      /** Refreshes as this instance would, redeeming at the shared `scalekit`. */
      refresh: (
        refreshToken: string,
        scalekit: CountingRedeem,
        options: Partial<SingleFlightOptions> = {},
      ) =>
        flight.singleFlightRefresh(refreshToken, scalekit.redeemWith(errors), {
          store,
          secrets,
          ...options,
        }),
    };
  });
}

describe('singleFlightRefresh', () => {
  describe('within one process', () => {
    it('lets concurrent callers with the same refresh token share one redemption', async () => {
      const store = createMemoryStore();
      const scalekit = countingRedeem({ delayMs: 50 });
      const token = newRefreshToken();
      const pairs = await Promise.all(
        Array.from({ length: 10 }, () =>
          singleFlightRefresh(token, scalekit.redeem, { store, secrets }),
        ),
      );
      expect(scalekit.calls).toEqual([token]);
      expect(new Set(pairs.map((pair) => pair.accessToken))).toEqual(new Set([`at_1_${token}`]));
    });

    it('redeems different refresh tokens separately', async () => {
      const store = createMemoryStore();
      const scalekit = countingRedeem({ delayMs: 20 });
      const [a, b] = [newRefreshToken(), newRefreshToken()];
      const [pairA, pairB] = await Promise.all([
        singleFlightRefresh(a, scalekit.redeem, { store, secrets }),
        singleFlightRefresh(b, scalekit.redeem, { store, secrets }),
      ]);
      expect(scalekit.calls.sort()).toEqual([a, b].sort());
      expect(pairA.accessToken).not.toBe(pairB.accessToken);
    });
  });

  describe('across two instances sharing Upstash', () => {
    it('elects one redeemer; the other instance gets the pair it stored', async () => {
      const instances = [await loadInstance(), await loadInstance()];
      const scalekit = countingRedeem({ delayMs: 150 });
      const token = newRefreshToken();
      const pairs = await Promise.all(
        Array.from({ length: 20 }, (_, i) => instances[i % 2]!.refresh(token, scalekit)),
      );
      expect(scalekit.calls).toEqual([token]);
      expect(pairs).toEqual(
        Array(20).fill({ accessToken: `at_1_${token}`, refreshToken: `rt_1_${token}` }),
      );
      // The lock is released by its owner; the result stays, sealed, for late arrivals.
      const { lock, result } = keysOf(token);
      expect(await redis.get(lock)).toBeNull();
      const stored = (await redis.get<string>(result))!;
      expect(stored).not.toContain(`at_1_${token}`);
      expect(JSON.parse((await unseal(stored, 'store', secrets))!)).toEqual(pairs[0]);
    });

    it('answers a late arrival inside the grace window with the stored pair, without redeeming', async () => {
      const [first, late] = [await loadInstance(), await loadInstance()];
      const scalekit = countingRedeem();
      const token = newRefreshToken();
      const pair = await first.refresh(token, scalekit);
      expect(await late.refresh(token, scalekit)).toEqual(pair);
      expect(scalekit.calls).toHaveLength(1);
    });

    it('redeems the token again once the grace window has passed', async () => {
      const [first, late] = [await loadInstance(), await loadInstance()];
      const scalekit = countingRedeem();
      const token = newRefreshToken();
      await first.refresh(token, scalekit, { graceMs: 200 });
      await sleep(300);
      const again = await late.refresh(token, scalekit, { graceMs: 200 });
      expect(scalekit.calls).toHaveLength(2);
      expect(again.accessToken).toBe(`at_2_${token}`);
    });

    it('remembers a token Scalekit rejected: late arrivals fail at once, without redeeming', async () => {
      const [first, late] = [await loadInstance(), await loadInstance()];
      const scalekit = countingRedeem({ failWith: 'refresh_failed' });
      const token = newRefreshToken();
      expect(await outcome(first.refresh(token, scalekit))).toBe('refresh_failed');
      expect(await outcome(late.refresh(token, scalekit))).toBe('refresh_failed');
      expect(scalekit.calls).toHaveLength(1);
      expect(await redis.get(keysOf(token).lock)).toBeNull();
    });

    it('tells waiting callers of the other instance that the token was rejected', async () => {
      const instances = [await loadInstance(), await loadInstance()];
      const scalekit = countingRedeem({ delayMs: 150, failWith: 'refresh_failed' });
      const token = newRefreshToken();
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, (_, i) => outcome(instances[i % 2]!.refresh(token, scalekit))),
      );
      expect(outcomes).toEqual(Array(6).fill('refresh_failed'));
      expect(scalekit.calls).toHaveLength(1);
    });

    it('does not remember a transient failure: the next request redeems again', async () => {
      const [first, next] = [await loadInstance(), await loadInstance()];
      const scalekit = countingRedeem({ failWith: 'refresh_unavailable', failures: 1 });
      const token = newRefreshToken();
      expect(await outcome(first.refresh(token, scalekit))).toBe('refresh_unavailable');
      expect(await next.refresh(token, scalekit)).toEqual({
        accessToken: `at_2_${token}`,
        refreshToken: `rt_2_${token}`,
      });
      expect(await redis.get(keysOf(token).lock)).toBeNull();
    });

    it('takes the pair another instance stores while it waits for that instance’s lock', async () => {
      const waiting = await loadInstance();
      const scalekit = countingRedeem();
      const token = newRefreshToken();
      const { lock, result } = keysOf(token);
      await redis.set(lock, 'another-instance', { px: 10_000 });
      const pending = waiting.refresh(token, scalekit);
      await sleep(100);
      const theirs = { accessToken: 'at_theirs', refreshToken: 'rt_theirs' };
      await redis.set(result, await seal(JSON.stringify(theirs), 'store', secrets), { px: 10_000 });
      expect(await pending).toEqual(theirs);
      expect(scalekit.calls).toEqual([]);
    });

    it('does not redeem again when the other instance finishes between its poll and its next lock attempt', async () => {
      const token = newRefreshToken();
      const { lock, result } = keysOf(token);
      const theirs = { accessToken: 'at_theirs', refreshToken: 'rt_theirs' };
      await redis.set(lock, 'another-instance', { px: 10_000 });
      // The real Upstash store, with the other instance's last two steps (store its pair, release
      // its lock) landing right after this instance's poll read no result: an interleaving Redis
      // allows whenever the two finish within one round trip of each other.
      const upstashStore = createUpstashStore({
        url: upstash.url,
        token: upstash.token,
        timeoutMs: 2_000,
      });
      let waiting = false;
      let theyFinished = false;
      const store: Store = {
        ...upstashStore,
        async setIfAbsent(key, value, ttlMs) {
          const taken = await upstashStore.setIfAbsent(key, value, ttlMs);
          waiting ||= !taken;
          return taken;
        },
        async get(key) {
          const value = await upstashStore.get(key);
          if (key === result && waiting && !theyFinished) {
            theyFinished = true;
            await redis.set(result, await seal(JSON.stringify(theirs), 'store', secrets), {
              px: 10_000,
            });
            await redis.del(lock);
          }
          return value;
        },
      };
      const scalekit = countingRedeem();
      const pair = await singleFlightRefresh(token, scalekit.redeem, { store, secrets });
      // Redeeming the token a second time would fail at Scalekit (it rotated already) and sign
      // the person out; the pair the other instance stored is the answer.
      expect(scalekit.calls).toEqual([]);
      expect(pair).toEqual(theirs);
    });

    it('gives up with refresh_unavailable after waitMs while another instance holds the lock', async () => {
      const waiting = await loadInstance();
      const scalekit = countingRedeem();
      const token = newRefreshToken();
      await redis.set(keysOf(token).lock, 'another-instance', { px: 10_000 });
      const started = performance.now();
      expect(await outcome(waiting.refresh(token, scalekit, { waitMs: 300 }))).toBe(
        'refresh_unavailable',
      );
      const waited = performance.now() - started;
      expect(waited).toBeGreaterThanOrEqual(300);
      expect(waited).toBeLessThan(1_500);
      // Never redeemed behind the holder's back: that would rotate the token twice.
      expect(scalekit.calls).toEqual([]);
    });
  });

  describe('when the store cannot answer', () => {
    const storeDown: Array<[string, () => Promise<void>]> = [
      [
        'redis-server stopped',
        async () => {
          await upstash.redis.stop();
          redisStopped = true;
        },
      ],
      ['the REST endpoint answering 500', async () => upstash.rest.setFault({ mode: 'error' })],
    ];
    let redisStopped = false;
    afterEach(async () => {
      if (redisStopped) await upstash.redis.start();
      redisStopped = false;
    });

    /** The one warning a process gives when it refreshes without the cross-instance lock. */
    const COORDINATION_UNAVAILABLE = {
      text: expect.stringMatching(/^\[auth\] refresh coordination is unavailable/),
    };

    /**
     * The interleaving a busy machine produces: a request whose SHA-256 of the token resolves only
     * after the first redemption has finished and left the in-flight map. Held here by a gate on the
     * first redemption, and the late arrival let in once it has completed.
     */
    async function lateArrival(
      instance: Awaited<ReturnType<typeof loadInstance>>,
      scalekit: CountingRedeem,
      token: string,
    ) {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const held: CountingRedeem = {
        ...scalekit,
        redeemWith: (errors) => async (refreshToken) => {
          await gate;
          return scalekit.redeemWith(errors)(refreshToken);
        },
      };
      const first = outcome(instance.refresh(token, held));
      const late = first.then(() => instance.refresh(token, scalekit));
      release();
      return { first: await first, late: await outcome(late), latePair: late.catch(() => null) };
    }

    it.each(storeDown)(
      'answers a late arrival in the same process with the pair it shared, without redeeming again: %s',
      async (_, breakStore) => {
        const instance = await loadInstance();
        const scalekit = countingRedeem();
        const token = newRefreshToken();
        await breakStore();
        const { result, lines } = await captureAuthLog(() =>
          lateArrival(instance, scalekit, token),
        );
        const { first, late, latePair } = result;
        expect(lines).toEqual([COORDINATION_UNAVAILABLE]);
        expect([first, late]).toEqual(['ok', 'ok']);
        // A second redemption of a token Scalekit already rotated would sign this person out.
        expect(scalekit.calls).toEqual([token]);
        expect(await latePair).toEqual({
          accessToken: `at_1_${token}`,
          refreshToken: `rt_1_${token}`,
        });
      },
    );

    it.each(storeDown)(
      'answers a late arrival in the same process with the rejection, without redeeming again: %s',
      async (_, breakStore) => {
        const instance = await loadInstance();
        const scalekit = countingRedeem({ failWith: 'refresh_failed' });
        const token = newRefreshToken();
        await breakStore();
        const { result, lines } = await captureAuthLog(() =>
          lateArrival(instance, scalekit, token),
        );
        expect(lines).toEqual([COORDINATION_UNAVAILABLE]);
        expect([result.first, result.late]).toEqual(['refresh_failed', 'refresh_failed']);
        expect(scalekit.calls).toEqual([token]);
      },
    );

    it('redeems without the lock, once per process, and warns once without naming the token', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const instance = await loadInstance();
      const scalekit = countingRedeem({ delayMs: 50 });
      const [token, other] = [newRefreshToken(), newRefreshToken()];
      upstash.rest.setFault({ mode: 'error' });
      const pairs = await Promise.all(
        Array.from({ length: 5 }, () => instance.refresh(token, scalekit)),
      );
      await instance.refresh(other, scalekit);
      expect(scalekit.calls).toEqual([token, other]);
      expect(new Set(pairs.map((pair) => pair.accessToken))).toEqual(new Set([`at_1_${token}`]));
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/refresh coordination is unavailable/);
      expect(String(warn.mock.calls[0]![0])).not.toContain(token);
    });
  });
});
