import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStore } from '@/lib/server/store/memory-store';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createMemoryStore', () => {
  it('makes room by dropping expired entries first', async () => {
    const store = createMemoryStore({ maxEntries: 3 });
    await store.set('expiring', 'v', 1_000);
    await store.set('revoked:a', '1', 60_000);
    await store.set('revoked:b', '1', 60_000);
    vi.advanceTimersByTime(1_000);

    await store.set('revoked:c', '1', 60_000);
    expect(await store.get('revoked:a')).not.toBeNull();
    expect(await store.get('revoked:b')).not.toBeNull();
    expect(await store.get('revoked:c')).not.toBeNull();
  });

  it('makes room by dropping the entry closest to expiring when all are live', async () => {
    const store = createMemoryStore({ maxEntries: 3 });
    await store.set('revoked:a', '1', 60_000);
    await store.setIfAbsent('refresh:lock', 'owner', 5_000);
    await store.set('revoked:b', '1', 60_000);

    expect(await store.setIfAbsent('revoked:c', '1', 60_000)).toBe(true);
    expect(await store.get('refresh:lock')).toBeNull();
    expect(await store.get('revoked:a')).not.toBeNull();
    expect(await store.get('revoked:b')).not.toBeNull();
    expect(await store.get('revoked:c')).not.toBeNull();
  });

  it('replaces an existing key without evicting another when full', async () => {
    const store = createMemoryStore({ maxEntries: 2 });
    await store.set('a', '1', 1_000);
    await store.set('b', '1', 60_000);
    await store.set('a', '2', 1_000);
    expect(await store.get('a')).toBe('2');
    expect(await store.get('b')).toBe('1');
  });

  it('expires an entry exactly when its TTL has passed', async () => {
    const store = createMemoryStore();
    await store.set('k', 'v', 1_000);
    vi.advanceTimersByTime(999);
    expect(await store.get('k')).toBe('v');
    vi.advanceTimersByTime(1);
    expect(await store.get('k')).toBeNull();
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses maxEntries of %s', (maxEntries) => {
    expect(() => createMemoryStore({ maxEntries })).toThrow(RangeError);
  });
});
