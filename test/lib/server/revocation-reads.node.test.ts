import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { revocationKeys } from '@/lib/edge/revocation';
import type { RevocationReader } from '@/lib/edge/upstash-reader';
import { readRevocationSince } from '@/lib/server/revocation-reads';
import { createMemoryStore } from '@/lib/server/store/memory-store';

/** The in-memory store, counting reads and holding each answer until `release()`. */
function heldStore() {
  const store = createMemoryStore();
  let open!: () => void;
  let gate = new Promise<void>((resolve) => (open = resolve));
  const held = {
    store,
    reads: 0,
    async getMany(keys: readonly string[]) {
      held.reads++;
      const wait = gate;
      const answer = await store.getMany(keys);
      await wait;
      return answer;
    },
    release() {
      open();
      gate = new Promise<void>((resolve) => (open = resolve));
    },
  } satisfies RevocationReader & Record<string, unknown>;
  return held;
}

const claimsOf = () => ({ sid: `ses_${randomUUID()}`, sub: `usr_${randomUUID()}`, iat: 1 });

describe('readRevocationSince', () => {
  it('shares a read in flight that was sent at or after the caller’s moment', async () => {
    const held = heldStore();
    const claims = claimsOf();
    const clock = { ms: 100 };
    const first = readRevocationSince(held, claims, 100, () => clock.ms);
    const second = readRevocationSince(held, claims, 100, () => clock.ms);
    held.release();
    expect(await Promise.all([first, second])).toEqual([false, false]);
    expect(held.reads).toBe(1);
  });

  it('never trusts a read sent before the caller’s moment: it sees a revocation written since', async () => {
    const held = heldStore();
    const claims = claimsOf();
    const clock = { ms: 100 };
    // A read sent at 100 (before the sign-out) is still in flight…
    const early = readRevocationSince(held, claims, 100, () => clock.ms);
    await held.store.set(revocationKeys.session(claims.sid), '1', 60_000);
    // …when a refresh whose redemption ended at 200 checks again: it reads anew.
    clock.ms = 200;
    const late = readRevocationSince(held, claims, 200, () => clock.ms);
    held.release();
    expect(await early).toBe(false);
    expect(await late).toBe(true);
    expect(held.reads).toBe(2);
  });

  it('keeps no answer once it has arrived', async () => {
    const held = heldStore();
    const claims = claimsOf();
    const read = readRevocationSince(held, claims, 0, () => 0);
    held.release();
    expect(await read).toBe(false);
    await held.store.set(revocationKeys.session(claims.sid), '1', 60_000);
    const again = readRevocationSince(held, claims, 0, () => 0);
    held.release();
    expect(await again).toBe(true);
    expect(held.reads).toBe(2);
  });
});
