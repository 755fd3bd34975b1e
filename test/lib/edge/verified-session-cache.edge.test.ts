import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AccessTokenClaims } from '@/lib/edge/access-token';
import { VerifiedSessionCache } from '@/lib/edge/verified-session-cache';

const now = () => Math.floor(Date.now() / 1000);

function claims(exp = now() + 300): AccessTokenClaims {
  return {
    sub: 'usr_1',
    sid: 'ses_1',
    oid: undefined,
    roles: [],
    permissions: [],
    scopes: [],
    exp,
    iat: now(),
    jti: undefined,
    clientId: undefined,
    payload: {},
  };
}

describe('VerifiedSessionCache', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers the exact value it was given, and nothing else', () => {
    const cache = new VerifiedSessionCache({ maxEntries: 10, maxBytes: 1 << 20, maxAgeMs: 60_000 });
    const kept = claims();
    cache.set('sealed-value', kept, 1);
    expect(cache.get('sealed-value', 1)).toBe(kept);
    expect(cache.get('sealed-valuE', 1)).toBeUndefined();
    expect(cache.get('sealed-value ', 1)).toBeUndefined();
  });

  it('drops an entry when its token expires, whatever the max age', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const cache = new VerifiedSessionCache({
      maxEntries: 10,
      maxBytes: 1 << 20,
      maxAgeMs: 600_000,
    });
    cache.set('v', claims(now() + 30), 1);
    vi.setSystemTime(Date.now() + 30_000);
    expect(cache.get('v', 1)).toBeUndefined();
  });

  it('drops an entry after its max age, although the token is still valid', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const cache = new VerifiedSessionCache({ maxEntries: 10, maxBytes: 1 << 20, maxAgeMs: 1_000 });
    cache.set('v', claims(), 1);
    vi.setSystemTime(Date.now() + 1_000);
    expect(cache.get('v', 1)).toBeUndefined();
  });

  it('forgets everything when the key set changes (rotation or refetch)', () => {
    const cache = new VerifiedSessionCache({ maxEntries: 10, maxBytes: 1 << 20, maxAgeMs: 60_000 });
    cache.set('v', claims(), 1);
    expect(cache.get('v', 2)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('stays bounded under 100,000 distinct cookies, evicting the least recently used', () => {
    const cache = new VerifiedSessionCache({
      maxEntries: 10_000,
      maxBytes: 1 << 30,
      maxAgeMs: 60_000,
    });
    const shared = claims();
    cache.set('hot', shared, 1);
    for (let i = 0; i < 100_000; i++) {
      cache.set(`cookie-${i}`, shared, 1);
      if (i % 1_000 === 0) cache.get('hot', 1);
    }
    expect(cache.size).toBe(10_000);
    expect(cache.get('hot', 1)).toBe(shared);
    expect(cache.get('cookie-0', 1)).toBeUndefined();
    expect(cache.get('cookie-99999', 1)).toBe(shared);
  });

  it('bounds its memory by bytes too: 4 KB cookies with full payloads stay under maxBytes', () => {
    const maxBytes = 4 * 1024 * 1024;
    const cache = new VerifiedSessionCache({ maxEntries: 10_000, maxBytes, maxAgeMs: 60_000 });
    const full: AccessTokenClaims = {
      ...claims(),
      payload: {
        roles: Array.from({ length: 20 }, (_, i) => `role-${i}`),
        permissions: Array.from({ length: 40 }, (_, i) => `resource-${i}:write`),
      },
    };
    const perEntry = 3_800 + JSON.stringify(full.payload).length;
    for (let i = 0; i < 10_000; i++) {
      cache.set(`${i}`.padEnd(3_800, 'x'), full, 1);
      expect(cache.bytes).toBeLessThanOrEqual(maxBytes);
    }
    // Far fewer than the 10,000 the entry count would allow; the newest are the ones kept.
    expect(cache.size).toBeLessThan(maxBytes / perEntry + 1);
    expect(cache.size).toBeGreaterThan(maxBytes / (perEntry + 1_024));
    expect(cache.get('9999'.padEnd(3_800, 'x'), 1)).toBe(full);
    expect(cache.get('0'.padEnd(3_800, 'x'), 1)).toBeUndefined();
  });

  it('gives back the bytes of entries it drops', () => {
    const cache = new VerifiedSessionCache({ maxEntries: 10, maxBytes: 1 << 20, maxAgeMs: 60_000 });
    cache.set('a', claims(), 1);
    cache.set('a', claims(), 1);
    const one = cache.bytes;
    cache.set('b', claims(), 1);
    expect(cache.bytes).toBe(2 * one);
    cache.set('c', claims(), 2);
    expect(cache.bytes).toBe(one);
  });

  it('keeps nothing when turned off, and never keeps oversized values', () => {
    const off = new VerifiedSessionCache({ maxEntries: 0, maxBytes: 1 << 20, maxAgeMs: 60_000 });
    off.set('v', claims(), 1);
    expect(off.size).toBe(0);
    const on = new VerifiedSessionCache({ maxEntries: 10, maxBytes: 1 << 20, maxAgeMs: 60_000 });
    on.set('x'.repeat(5_000), claims(), 1);
    expect(on.size).toBe(0);
    // The same cache does keep a value of a cookie's size.
    on.set('x'.repeat(3_800), claims(), 1);
    expect(on.size).toBe(1);
  });

  it('cached claims cannot be changed by one request for the next', () => {
    const cache = new VerifiedSessionCache({ maxEntries: 10, maxBytes: 1 << 20, maxAgeMs: 60_000 });
    const roles = ['member'];
    const permissions = ['write', 'read'];
    const payload = { roles: ['member'], org: { name: 'Acme' } };
    cache.set('v', { ...claims(), roles, permissions, payload }, 1);
    const first = cache.get('v', 1)!;
    expect(() => (first.roles as string[]).push('admin')).toThrow(TypeError);
    expect(() => (first.permissions as string[]).sort()).toThrow(TypeError);
    expect(() => (first.permissions as string[]).push('write')).toThrow(TypeError);
    expect(() => ((first.payload.roles as string[]).length = 0)).toThrow(TypeError);
    expect(() => {
      (first.payload.org as { name: string }).name = 'Evil';
    }).toThrow(TypeError);
    expect(() => {
      (first as { sub: string }).sub = 'usr_2';
    }).toThrow(TypeError);
    const next = cache.get('v', 1)!;
    expect(next.roles).toEqual(['member']);
    expect(next.permissions).toEqual(['write', 'read']);
    expect(next.payload).toEqual({ roles: ['member'], org: { name: 'Acme' } });
    expect(next.sub).toBe('usr_1');
  });
});
