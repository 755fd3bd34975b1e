import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  isRevoked,
  revocationKeys,
  revocationReader,
  revocationRefusal,
} from '@/lib/edge/revocation';
import { createUpstashReader } from '@/lib/edge/upstash-reader';
import { createUpstashStore } from '@/lib/server/store/upstash-store';
import { outcome } from '../../support/outcome';
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
const now = () => Math.floor(Date.now() / 1000);

/** The reader the middleware uses, and the store the Node routes write the list with. */
const reader = (timeoutMs = 5_000) =>
  createUpstashReader({ url: upstash.url, token: upstash.token, timeoutMs });
const writer = () =>
  createUpstashStore({ url: upstash.url, token: upstash.token, timeoutMs: 5_000 });

/** Claims of a token of a session, user and organization of their own, issued `iat`. */
const claimsOf = (iat = now()) => ({
  sid: `ses_${randomUUID()}`,
  sub: `usr_${randomUUID()}`,
  oid: `org_${randomUUID().replaceAll('-', '')}` as string | undefined,
  iat,
});

describe('revocationKeys', () => {
  it('names the keys the Node side writes and the Edge reads (stable across deployments)', () => {
    expect(revocationKeys.session('ses_1')).toBe('revoked:sid:ses_1');
    expect(revocationKeys.subject('usr_1')).toBe('revoked:sub:usr_1');
    expect(revocationKeys.membership('org_1', 'usr_1')).toBe('revoked:member:org_1:usr_1');
    expect(revocationKeys.organization('org_1')).toBe('revoked:oid:org_1');
  });
});

describe('isRevoked', () => {
  it('is false for a token whose session and user are not on the list', async () => {
    expect(await isRevoked(reader(), claimsOf(), ALLOW)).toBe(false);
  });

  it('is true once the token’s session is on the list, whatever the value', async () => {
    const claims = claimsOf();
    await writer().set(revocationKeys.session(claims.sid), '1', 60_000);
    expect(await isRevoked(reader(), claims, ALLOW)).toBe(true);
    // Another session of the same user is not affected.
    expect(await isRevoked(reader(), { ...claims, sid: `ses_${randomUUID()}` }, ALLOW)).toBe(false);
  });

  it('revokes a user’s tokens issued up to the revocation time, and none issued after', async () => {
    const claims = claimsOf();
    const since = now();
    await writer().set(revocationKeys.subject(claims.sub), String(since), 60_000);
    expect(await isRevoked(reader(), { ...claims, iat: since - 60 }, ALLOW)).toBe(true);
    expect(await isRevoked(reader(), { ...claims, iat: since }, ALLOW)).toBe(true);
    expect(await isRevoked(reader(), { ...claims, iat: since + 1 }, ALLOW)).toBe(false);
    // Another user's tokens are not affected.
    expect(
      await isRevoked(reader(), { ...claims, sub: `usr_${randomUUID()}`, iat: since - 60 }, ALLOW),
    ).toBe(false);
  });

  it('revokes a member’s tokens in that organization only, issued up to the removal', async () => {
    const claims = claimsOf();
    const since = now();
    await writer().set(revocationKeys.membership(claims.oid!, claims.sub), String(since), 60_000);
    expect(await isRevoked(reader(), { ...claims, iat: since - 60 }, ALLOW)).toBe(true);
    expect(await isRevoked(reader(), { ...claims, iat: since + 1 }, ALLOW)).toBe(false);
    // The same person's session in another organization, and a token naming no organization.
    expect(await isRevoked(reader(), { ...claims, oid: 'org_other', iat: since - 60 }, ALLOW)).toBe(
      false,
    );
    expect(await isRevoked(reader(), { ...claims, oid: undefined, iat: since - 60 }, ALLOW)).toBe(
      false,
    );
  });

  it('revokes everyone’s tokens in a deleted organization, issued up to its deletion', async () => {
    const claims = claimsOf();
    const since = now();
    await writer().set(revocationKeys.organization(claims.oid!), String(since), 60_000);
    expect(await isRevoked(reader(), { ...claims, iat: since - 60 }, ALLOW)).toBe(true);
    expect(await isRevoked(reader(), { ...claimsOf(since - 60), oid: claims.oid }, ALLOW)).toBe(
      true,
    );
    expect(await isRevoked(reader(), { ...claims, iat: since + 1 }, ALLOW)).toBe(false);
  });

  it.each([
    ['answers 500', () => upstash.rest.setFault({ mode: 'error' })],
    [
      'is slower than the reader’s timeout',
      () => upstash.rest.setFault({ mode: 'slow', delayMs: 60_000 }),
    ],
  ])(
    'follows the policy when the store %s: allow lets the token through, deny refuses it',
    async (_, fault) => {
      const claims = claimsOf();
      await writer().set(revocationKeys.session(claims.sid), '1', 60_000);
      fault();
      expect(await isRevoked(reader(200), claims, ALLOW)).toBe(false);
      expect(await isRevoked(reader(200), claims, DENY)).toBe(true);
    },
  );

  it('throws what is not a store failure instead of applying the policy to it', async () => {
    const broken = {
      getMany: async () => {
        throw new TypeError('a programming error');
      },
    };
    await expect(isRevoked(broken, claimsOf(), ALLOW)).rejects.toThrow(TypeError);
    await expect(isRevoked(broken, claimsOf(), DENY)).rejects.toThrow(TypeError);
  });
});

describe('revocationRefusal', () => {
  it('tells a revoked session from a list it could not read under the deny policy', async () => {
    const claims = claimsOf();
    expect(await revocationRefusal(reader(), claims, DENY)).toBeNull();
    await writer().set(revocationKeys.session(claims.sid), '1', 60_000);
    expect(await revocationRefusal(reader(), claims, DENY)).toBe('revoked');
    upstash.rest.setFault({ mode: 'error' });
    expect(await revocationRefusal(reader(), claimsOf(), DENY)).toBe('unreadable');
    expect(await revocationRefusal(reader(), claimsOf(), ALLOW)).toBeNull();
  });
});

describe('revocationReader', () => {
  it('refuses without Upstash: the Edge cannot see a list kept in Node memory', async () => {
    expect(await outcome(Promise.resolve().then(() => revocationReader({ upstash: null })))).toBe(
      'store_unavailable',
    );
  });

  it('reads the list from Upstash, with one reader per isolate', async () => {
    const config = { upstash: { url: upstash.url, token: upstash.token } };
    const claims = claimsOf();
    await writer().set(revocationKeys.session(claims.sid), '1', 60_000);
    const first = revocationReader(config);
    expect(await isRevoked(first, claims, ALLOW)).toBe(true);
    expect(revocationReader(config)).toBe(first);
  });
});
