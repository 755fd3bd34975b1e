import { afterEach, describe, expect, inject, it } from 'vitest';
import { verifyAccessToken } from '@/lib/edge/access-token';
import { AuthError } from '@/lib/edge/errors';
import { createKeySet, type KeySetOptions } from '@/lib/edge/jwks';
import { issuerControl } from '../../support/issuer-control';
import { accessTokenClaims } from '../../support/tokens';

const issuerUrl = inject('issuerUrl');
const control = issuerControl(issuerUrl);
const keysUrl = new URL(`${issuerUrl}/keys`);

const coldKeySet = (options?: KeySetOptions) => createKeySet(keysUrl, options);
/** A clock the test moves by hand, for the cooldown. */
const manualClock = () => {
  const clock = { ms: Date.now(), now: () => clock.ms };
  return clock;
};
const keyFetches = async () => (await control.counts()).keys ?? 0;
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (err: unknown) => (err instanceof AuthError ? err.code : `unexpected: ${String(err)}`),
  );

describe('the JWKS key set', () => {
  afterEach(async () => {
    await control.setFault('keys', null);
  });

  it('shares one /keys fetch between 100 concurrent cold verifies', async () => {
    const token = await control.sign(accessTokenClaims());
    const keySet = coldKeySet();
    const before = await keyFetches();
    const results = await Promise.all(
      Array.from({ length: 100 }, () => verifyAccessToken(token, { keySet })),
    );
    expect(results).toHaveLength(100);
    expect((await keyFetches()) - before).toBe(1);
  });

  it('refetches at most once per cooldown under a flood of unknown kids', async () => {
    const clock = manualClock();
    const keySet = coldKeySet({ cooldownMs: 1_000, now: clock.now });
    await verifyAccessToken(await control.sign(accessTokenClaims()), { keySet });
    const flood = await Promise.all(
      Array.from({ length: 50 }, (_, i) => control.sign(accessTokenClaims(), { kid: `snk_x${i}` })),
    );

    const before = await keyFetches();
    // The first unknown kid refetches once (the warm-up fetch starts no cooldown); all 50 share it.
    const first = await Promise.all(flood.map((t) => codeOf(verifyAccessToken(t, { keySet }))));
    expect((await keyFetches()) - before).toBe(1);
    // A set fetched for them lacks them: invalid.
    expect(first).toEqual(Array(50).fill('token_invalid'));
    // Within the cooldown that refetch started, unknown kids fail fast without fetching, as for an
    // unavailable key set: one of them could be a key rotated in since.
    clock.ms += 999;
    const during = await Promise.all(flood.map((t) => codeOf(verifyAccessToken(t, { keySet }))));
    expect((await keyFetches()) - before).toBe(1);
    expect(during).toEqual(Array(50).fill('jwks_unavailable'));

    clock.ms += 1;
    const afterCooldown = await keyFetches();
    await Promise.all(flood.map((t) => codeOf(verifyAccessToken(t, { keySet }))));
    expect((await keyFetches()) - afterCooldown).toBe(1);
  });

  it('picks up a key rotation at the issuer without a restart', async () => {
    const keySet = coldKeySet({ cooldownMs: 0 });
    const oldToken = await control.sign(accessTokenClaims());
    await verifyAccessToken(oldToken, { keySet });
    const generation = keySet.generation;

    const { kid } = await control.rotateKeys();
    const newToken = await control.sign(accessTokenClaims());
    expect(
      JSON.parse(atob(newToken.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/'))).kid,
    ).toBe(kid);

    await expect(verifyAccessToken(newToken, { keySet })).resolves.toMatchObject({
      sub: 'usr_test_1',
    });
    await expect(verifyAccessToken(oldToken, { keySet })).resolves.toMatchObject({
      sub: 'usr_test_1',
    });
    // One refetch, for the new kid, installed one new key set.
    expect(keySet.generation).toBe(generation + 1);
  });

  it('picks up a rotation that happens right after a cold fetch (the cooldown starts at an unknown kid)', async () => {
    const keySet = coldKeySet();
    await verifyAccessToken(await control.sign(accessTokenClaims()), { keySet });
    await control.rotateKeys();
    const rotated = await control.sign(accessTokenClaims());
    await expect(verifyAccessToken(rotated, { keySet })).resolves.toMatchObject({
      sub: 'usr_test_1',
    });
  });

  it('key rotation during the cooldown: the new key’s tokens are unavailable, never invalid, and verify once the cooldown allows a refetch', async () => {
    const clock = manualClock();
    const keySet = coldKeySet({ cooldownMs: 30_000, now: clock.now });
    await verifyAccessToken(await control.sign(accessTokenClaims()), { keySet });
    // A stray unknown kid spends the refetch and starts the cooldown.
    const stray = await control.sign(accessTokenClaims(), { kid: 'snk_stray' });
    expect(await codeOf(verifyAccessToken(stray, { keySet }))).toBe('token_invalid');

    await control.rotateKeys();
    const rotated = await control.sign(accessTokenClaims());
    const before = await keyFetches();
    clock.ms += 29_999;
    // Transient: the person keeps the session and retries (lib/edge/protect.ts answers 503 / a
    // retry page for jwks_unavailable); the flood bound holds (no fetch).
    expect(await codeOf(verifyAccessToken(rotated, { keySet }))).toBe('jwks_unavailable');
    expect((await keyFetches()) - before).toBe(0);

    clock.ms += 1;
    await expect(verifyAccessToken(rotated, { keySet })).resolves.toMatchObject({
      sub: 'usr_test_1',
    });
    expect((await keyFetches()) - before).toBe(1);
  });

  it('fails closed with jwks_unavailable when /keys is down on a cold isolate', async () => {
    const token = await control.sign(accessTokenClaims());
    await control.setFault('keys', 'error');
    expect(await codeOf(verifyAccessToken(token, { keySet: coldKeySet() }))).toBe(
      'jwks_unavailable',
    );
  });

  it('gives up on a hanging /keys after its timeout', async () => {
    const token = await control.sign(accessTokenClaims());
    await control.setFault('keys', 'hang');
    const code = await codeOf(verifyAccessToken(token, { keySet: coldKeySet({ timeoutMs: 300 }) }));
    expect(code).toBe('jwks_unavailable');
  });

  it('keeps verifying with the held keys when /keys fails on a warm isolate', async () => {
    const token = await control.sign(accessTokenClaims());
    const keySet = coldKeySet({ maxAgeMs: 0, cooldownMs: 0 });
    await verifyAccessToken(token, { keySet });

    await control.setFault('keys', 'error');
    await expect(verifyAccessToken(token, { keySet })).resolves.toMatchObject({
      sub: 'usr_test_1',
    });
    // An unknown kid forces a refetch, which fails: transient for that token (its key may be new),
    // and the held keys still answer for known kids.
    const unknown = await control.sign(accessTokenClaims(), { kid: 'snk_unknown' });
    expect(await codeOf(verifyAccessToken(unknown, { keySet }))).toBe('jwks_unavailable');
    await expect(verifyAccessToken(token, { keySet })).resolves.toMatchObject({
      sub: 'usr_test_1',
    });
  });

  it('never makes a request wait for an age-based refresh of the keys', async () => {
    const token = await control.sign(accessTokenClaims());
    // A refresh that the request awaited would hang for a minute, past this test's timeout.
    const keySet = coldKeySet({ maxAgeMs: 0, timeoutMs: 60_000 });
    await verifyAccessToken(token, { keySet });

    await control.setFault('keys', 'hang');
    await expect(verifyAccessToken(token, { keySet })).resolves.toMatchObject({
      sub: 'usr_test_1',
    });
  });
});
