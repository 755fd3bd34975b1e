import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { AuthError } from '@/lib/edge/errors';
import { createKeySet, type KeySet } from '@/lib/edge/jwks';
import { seal } from '@/lib/edge/seal';
import { readAccessSession } from '@/lib/edge/session';
import { issuerControl } from '../../support/issuer-control';
import { accessTokenClaims } from '../../support/tokens';

const control = issuerControl(inject('issuerUrl'));
const secrets = [process.env.SESSION_COOKIE_SECRET!];
const now = () => Math.floor(Date.now() / 1000);

/** A key set that counts lookups: one lookup is one full signature verification. */
function countingKeySet() {
  const inner = createKeySet(new URL(`${inject('issuerUrl')}/keys`));
  const counter = { lookups: 0 };
  const keySet = Object.defineProperty(
    async (...args: Parameters<KeySet>) => {
      counter.lookups += 1;
      return inner(...args);
    },
    'generation',
    { get: () => inner.generation },
  ) as KeySet;
  return { keySet, counter };
}

const jar = (value: string) => ({
  get: (name: string) => (name === 'sk_access' ? { value } : undefined),
});

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    (value) => (value === null ? 'none' : 'ok'),
    (err: unknown) => (err instanceof AuthError ? err.code : String(err)),
  );

describe('readAccessSession', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('verifies a cookie once, then answers it from the cache', async () => {
    const { keySet, counter } = countingKeySet();
    const sealed = await seal(await control.sign(accessTokenClaims()), 'access', secrets);
    const first = await readAccessSession(jar(sealed), keySet);
    const again = await readAccessSession(jar(sealed), keySet);
    expect(again).toEqual(first);
    expect(counter.lookups).toBe(1);
  });

  it('never answers a tampered cookie from the cache', async () => {
    const { keySet } = countingKeySet();
    const sealed = await seal(await control.sign(accessTokenClaims()), 'access', secrets);
    await readAccessSession(jar(sealed), keySet);
    // A character inside the ciphertext: every one of its bits counts (the tag's last character
    // carries padding bits that base64url decoding ignores).
    const at = sealed.lastIndexOf('.') - 8;
    const tampered = `${sealed.slice(0, at)}${sealed[at] === 'A' ? 'B' : 'A'}${sealed.slice(at + 1)}`;
    expect(await codeOf(readAccessSession(jar(tampered), keySet))).toBe('none');
    expect(await codeOf(readAccessSession(jar(`${sealed}x`), keySet))).toBe('none');
  });

  it('never caches a token that failed verification', async () => {
    const { keySet, counter } = countingKeySet();
    const forged = await control.sign(accessTokenClaims({ aud: ['skc_other'] }));
    const sealed = await seal(forged, 'access', secrets);
    expect(await codeOf(readAccessSession(jar(sealed), keySet))).toBe('token_invalid');
    expect(await codeOf(readAccessSession(jar(sealed), keySet))).toBe('token_invalid');
    expect(counter.lookups).toBe(2);
  });

  it('rejects a cached token once it has expired', async () => {
    const { keySet } = countingKeySet();
    const token = await control.sign(accessTokenClaims({ iat: now() - 200, exp: now() + 20 }));
    const sealed = await seal(token, 'access', secrets);
    expect(await codeOf(readAccessSession(jar(sealed), keySet))).toBe('ok');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 30_000 });
    expect(await codeOf(readAccessSession(jar(sealed), keySet))).toBe('token_expired');
  });

  it('verifies again after the keys rotate', async () => {
    const { keySet, counter } = countingKeySet();
    const sealed = await seal(await control.sign(accessTokenClaims()), 'access', secrets);
    await readAccessSession(jar(sealed), keySet);
    await control.rotateKeys();
    // A token under the new kid makes the key set refetch, which bumps its generation.
    const fresh = await seal(await control.sign(accessTokenClaims()), 'access', secrets);
    await readAccessSession(jar(fresh), keySet);
    const before = counter.lookups;
    await readAccessSession(jar(sealed), keySet);
    expect(counter.lookups).toBe(before + 1);
  });
});
