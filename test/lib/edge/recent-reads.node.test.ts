import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRecentReads } from '@/lib/edge/recent-reads';
import { isRevoked, revocationKeys } from '@/lib/edge/revocation';
import { createUpstashReader, type RevocationReader } from '@/lib/edge/upstash-reader';
import { createUpstashStore } from '@/lib/server/store/upstash-store';
import { startUpstash, type LocalUpstash } from '../../tools/upstash-endpoint/start-upstash';

// Node only: the Upstash stand-in runs a real redis-server. The unit itself runs on the Edge.
let upstash: LocalUpstash;
beforeAll(async () => {
  upstash = await startUpstash();
});
afterEach(() => upstash.rest.setFault(null));
afterAll(() => upstash?.close());

const ALLOW = { revocationOnStoreError: 'allow' } as const;
const DENY = { revocationOnStoreError: 'deny' } as const;

/** The middleware's reader against the local Upstash, counting the reads that reach it. */
function countingReader() {
  const upstashReader = createUpstashReader({
    url: upstash.url,
    token: upstash.token,
    timeoutMs: 5_000,
  });
  const counted = {
    reads: 0,
    /** Holds every read's answer until `release()`, to let the clock move while it is in flight. */
    hold: null as Promise<void> | null,
    async getMany(keys: readonly string[]) {
      counted.reads++;
      const answer = await upstashReader.getMany(keys);
      await counted.hold;
      return answer;
    },
  } satisfies RevocationReader & Record<string, unknown>;
  return counted;
}

/** A clock the test moves by hand. */
function manualClock() {
  const clock = { ms: 1_000_000, now: () => clock.ms };
  return clock;
}

const writer = () =>
  createUpstashStore({ url: upstash.url, token: upstash.token, timeoutMs: 5_000 });
const claimsOf = () => ({
  sid: `ses_${randomUUID()}`,
  sub: `usr_${randomUUID()}`,
  iat: Math.floor(Date.now() / 1000),
});
const revoke = (sid: string) => writer().set(revocationKeys.session(sid), '1', 60_000);

describe('createRecentReads', () => {
  it('honours a revocation within 1 s: the answer is reused before then, read again at 1 s', async () => {
    const clock = manualClock();
    const store = countingReader();
    const reader = createRecentReads(store, { now: clock.now });
    const claims = claimsOf();
    expect(await isRevoked(reader, claims, ALLOW)).toBe(false);
    await revoke(claims.sid);
    clock.ms += 999;
    // Stale, within the bound: the remembered "not revoked".
    expect(await isRevoked(reader, claims, ALLOW)).toBe(false);
    expect(store.reads).toBe(1);
    clock.ms += 1;
    expect(await isRevoked(reader, claims, ALLOW)).toBe(true);
    expect(store.reads).toBe(2);
  });

  it('counts the bound from when the read was sent, not from when it answered', async () => {
    const clock = manualClock();
    const store = countingReader();
    const reader = createRecentReads(store, { now: clock.now });
    const claims = claimsOf();
    let release!: () => void;
    store.hold = new Promise((resolve) => (release = resolve));
    const first = isRevoked(reader, claims, ALLOW);
    clock.ms += 900;
    release();
    expect(await first).toBe(false);
    await revoke(claims.sid);
    clock.ms += 100;
    expect(await isRevoked(reader, claims, ALLOW)).toBe(true);
    expect(store.reads).toBe(2);
  });

  it('shares one read in flight among concurrent requests of the same session', async () => {
    const store = countingReader();
    const reader = createRecentReads(store, { now: manualClock().now });
    const claims = claimsOf();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => isRevoked(reader, claims, ALLOW)),
    );
    expect(answers).toEqual(Array(20).fill(false));
    expect(store.reads).toBe(1);
  });

  it('reads each session on its own: one session’s answer never stands for another’s', async () => {
    const store = countingReader();
    const reader = createRecentReads(store, { now: manualClock().now });
    const [kept, revoked] = [claimsOf(), claimsOf()];
    await revoke(revoked.sid);
    expect(await isRevoked(reader, kept, ALLOW)).toBe(false);
    expect(await isRevoked(reader, revoked, ALLOW)).toBe(true);
    expect(store.reads).toBe(2);
  });

  it('does not remember a failed read: the policy decides, and the next request asks again', async () => {
    const store = countingReader();
    const reader = createRecentReads(store, { now: manualClock().now });
    const claims = claimsOf();
    await revoke(claims.sid);
    upstash.rest.setFault({ mode: 'error' });
    expect(await isRevoked(reader, claims, ALLOW)).toBe(false);
    expect(await isRevoked(reader, claims, DENY)).toBe(true);
    upstash.rest.setFault(null);
    expect(await isRevoked(reader, claims, ALLOW)).toBe(true);
    expect(store.reads).toBe(3);
  });

  it('forgets every answer on clear(), so its own instance’s revocation counts at once', async () => {
    const store = countingReader();
    const reader = createRecentReads(store, { now: manualClock().now });
    const claims = claimsOf();
    expect(await isRevoked(reader, claims, ALLOW)).toBe(false);
    await revoke(claims.sid);
    reader.clear();
    expect(await isRevoked(reader, claims, ALLOW)).toBe(true);
  });

  it('keeps at most maxEntries answers, the oldest leaving first', async () => {
    const store = countingReader();
    const reader = createRecentReads(store, { now: manualClock().now, maxEntries: 2 });
    const [a, b, c] = [claimsOf(), claimsOf(), claimsOf()];
    for (const claims of [a, b, c, c, b]) await isRevoked(reader, claims, ALLOW);
    expect(store.reads).toBe(3);
    await isRevoked(reader, a, ALLOW);
    expect(store.reads).toBe(4);
  });
});
