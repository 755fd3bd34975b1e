import { randomUUID } from 'node:crypto';
import type { Redis } from '@upstash/redis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isRevoked, isRevokedUnderStrict, revocationKeys } from '@/lib/edge/revocation';
import { createUpstashReader } from '@/lib/edge/upstash-reader';
import {
  revokeMembership,
  revokeOrganization,
  revokeSession,
  revokeSubject,
} from '@/lib/server/revocation';
import { createMemoryStore } from '@/lib/server/store/memory-store';
import { createUpstashStore } from '@/lib/server/store/upstash-store';
import {
  connectReader,
  startUpstash,
  type LocalUpstash,
} from '../../tools/upstash-endpoint/start-upstash';

const MARGIN_MS = 60_000;
let upstash: LocalUpstash;
let redis: Redis;

beforeAll(async () => {
  upstash = await startUpstash();
  redis = await connectReader(upstash);
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(() => upstash?.close());

const store = () =>
  createUpstashStore({ url: upstash.url, token: upstash.token, timeoutMs: 5_000 });
/** The clock frozen at a whole second, so TTLs and timestamps are exact. */
const freeze = () => {
  const seconds = Math.floor(Date.now() / 1000);
  vi.useFakeTimers({ toFake: ['Date'], now: seconds * 1000 });
  return seconds;
};

describe('revokeSession', () => {
  it('lists the session until the token expires, plus a margin past the clock tolerance', async () => {
    const sid = `ses_${randomUUID()}`;
    const now = freeze();
    await revokeSession(store(), sid, now + 300);
    const key = revocationKeys.session(sid);
    expect(await redis.get(key)).toBe('1');
    const ttl = await redis.pttl(key);
    // Redis counts down on its own clock from the 360 000 ms it was given.
    expect(ttl).toBeLessThanOrEqual(300_000 + MARGIN_MS);
    expect(ttl).toBeGreaterThan(300_000 + MARGIN_MS - 5_000);
  });

  it('keeps a session whose token already expired for the margin only', async () => {
    const sid = `ses_${randomUUID()}`;
    const now = freeze();
    await revokeSession(store(), sid, now - 600);
    const ttl = await redis.pttl(revocationKeys.session(sid));
    expect(ttl).toBeLessThanOrEqual(MARGIN_MS);
    expect(ttl).toBeGreaterThan(MARGIN_MS - 5_000);
  });

  it('forgets the session once the token and the margin have passed (any store)', async () => {
    const memory = createMemoryStore();
    const now = freeze();
    await revokeSession(memory, 'ses_1', now + 300);
    vi.setSystemTime((now + 300) * 1000 + MARGIN_MS - 1);
    expect(await memory.get(revocationKeys.session('ses_1'))).toBe('1');
    vi.setSystemTime((now + 300) * 1000 + MARGIN_MS);
    expect(await memory.get(revocationKeys.session('ses_1'))).toBeNull();
  });
});

describe('revokeSubject', () => {
  it('records when the user was signed out, in seconds, until the given expiry plus the margin', async () => {
    const sub = `usr_${randomUUID()}`;
    const now = freeze();
    await revokeSubject(store(), sub, now + 3_600);
    const key = revocationKeys.subject(sub);
    expect(await redis.get(key)).toBe(String(now));
    const ttl = await redis.pttl(key);
    expect(ttl).toBeLessThanOrEqual(3_600_000 + MARGIN_MS);
    expect(ttl).toBeGreaterThan(3_600_000 + MARGIN_MS - 5_000);
  });

  it('ends the user’s earlier sessions for the middleware, and none begun afterwards', async () => {
    const sub = `usr_${randomUUID()}`;
    const now = freeze();
    await revokeSubject(store(), sub, now + 3_600);
    const reader = createUpstashReader({
      url: upstash.url,
      token: upstash.token,
      timeoutMs: 5_000,
    });
    const policy = { revocationOnStoreError: 'allow' } as const;
    const token = (iat: number) => ({ sid: `ses_${randomUUID()}`, sub, oid: 'org_1', iat });
    expect(await isRevoked(reader, token(now - 120), policy)).toBe(true);
    expect(await isRevoked(reader, token(now + 1), policy)).toBe(false);
  });
});

describe('revokeSubject, revokeMembership and revokeOrganization with a given time', () => {
  const reader = () =>
    createUpstashReader({ url: upstash.url, token: upstash.token, timeoutMs: 5_000 });
  const policy = { revocationOnStoreError: 'allow' } as const;

  it('record the time the event happened, not when it arrived: a late retry spares later sessions', async () => {
    const sub = `usr_${randomUUID()}`;
    const oid = `org_${randomUUID().replaceAll('-', '')}`;
    const now = freeze();
    const happened = now - 600;
    await revokeMembership(store(), { sub, oid }, now + 3_600, happened);
    await revokeOrganization(store(), `${oid}x`, now + 3_600, happened);
    await revokeSubject(store(), `${sub}x`, now + 3_600, happened);
    expect(await redis.get(revocationKeys.membership(oid, sub))).toBe(String(happened));
    const token = (iat: number) => ({ sid: `ses_${randomUUID()}`, sub, oid, iat });
    expect(await isRevoked(reader(), token(happened - 1), policy)).toBe(true);
    // Signed in again after the removal (re-invited): not affected by the event's retry.
    expect(await isRevoked(reader(), token(happened + 1), policy)).toBe(false);
    expect(await redis.get(revocationKeys.organization(`${oid}x`))).toBe(String(happened));
    expect(await redis.get(revocationKeys.subject(`${sub}x`))).toBe(String(happened));
  });
});

describe('a revocation this instance writes', () => {
  it('is seen at once by its own strict checks, though they remembered “not revoked” within 1 s', async () => {
    const config = {
      revocation: 'strict',
      revocationOnStoreError: 'allow',
      upstash: { url: upstash.url, token: upstash.token },
    } as const;
    const claims = { sid: `ses_${randomUUID()}`, sub: `usr_${randomUUID()}`, oid: 'org_1', iat: 1 };
    expect(await isRevokedUnderStrict(claims, config)).toBe(false);
    await revokeSession(store(), claims.sid, Math.floor(Date.now() / 1000) + 60);
    expect(await isRevokedUnderStrict(claims, config)).toBe(true);
    const sub = { ...claims, sid: `ses_${randomUUID()}` };
    expect(await isRevokedUnderStrict(sub, config)).toBe(false);
    await revokeSubject(store(), sub.sub, Math.floor(Date.now() / 1000) + 60);
    expect(await isRevokedUnderStrict(sub, config)).toBe(true);
  });
});
