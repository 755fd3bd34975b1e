import {
  base64url,
  CompactEncrypt,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type JWTPayload,
  type JWSHeaderParameters,
  type JWTHeaderParameters,
} from 'jose';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { hasPermission, hasRole, verifyAccessToken } from '@/lib/edge/access-token';
import { MAX_TOKEN_LENGTH } from '@/lib/edge/jwt';
import { AuthError, type AuthErrorCode } from '@/lib/edge/errors';
import { createKeySet } from '@/lib/edge/jwks';
import { issuerControl } from '../../support/issuer-control';
import { accessTokenClaims, without } from '../../support/tokens';

const issuerUrl = inject('issuerUrl');
const clientId = inject('clientId');
const control = issuerControl(issuerUrl);

const json = (value: unknown) => base64url.encode(JSON.stringify(value));
const unsigned = (header: object, payload: object, signature = '') =>
  `${json(header)}.${json(payload)}.${signature}`;

async function expectRejected(token: string, code: AuthErrorCode) {
  const keySet = createKeySet(new URL(`${issuerUrl}/keys`));
  const error = await verifyAccessToken(token, { keySet }).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(AuthError);
  expect((error as AuthError).code).toBe(code);
}

interface Forged {
  name: string;
  make: () => Promise<string>;
  code?: AuthErrorCode;
}

describe('verifyAccessToken', () => {
  let realKid: string;
  let realPublicJwk: Record<string, unknown>;
  let attacker: CryptoKey;
  let attackerPublicJwk: Record<string, unknown>;
  const sign = (payload: JWTPayload, header?: JWSHeaderParameters) => control.sign(payload, header);
  const signAsAttacker = (payload: JWTPayload, header: JWTHeaderParameters) =>
    new SignJWT(payload).setProtectedHeader(header).sign(attacker);

  beforeAll(async () => {
    const jwks = (await (await fetch(`${issuerUrl}/keys`)).json()) as {
      keys: Array<Record<string, unknown>>;
    };
    realPublicJwk = jwks.keys[jwks.keys.length - 1]!;
    const good = await sign(accessTokenClaims());
    realKid = JSON.parse(new TextDecoder().decode(base64url.decode(good.split('.')[0]!))).kid;
    const pair = await generateKeyPair('RS256', { extractable: true });
    attacker = pair.privateKey;
    attackerPublicJwk = { ...(await exportJWK(pair.publicKey)) };
  });

  it('returns typed claims for a genuine access token', async () => {
    const payload = accessTokenClaims({ roles: ['admin'], permissions: ['a:read', 'a:write'] });
    const token = await sign(payload, { typ: 'JWT' });
    const claims = await verifyAccessToken(token);
    expect(claims).toMatchObject({
      sub: 'usr_test_1',
      sid: 'ses_test_1',
      oid: 'org_test_1',
      roles: ['admin'],
      permissions: ['a:read', 'a:write'],
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      exp: payload.exp,
      iat: payload.iat,
      jti: payload.jti,
      clientId,
    });
    expect(claims.payload.iss).toBe(issuerUrl);
    expect(hasRole(claims, 'admin')).toBe(true);
    expect(hasRole(claims, 'member')).toBe(false);
    expect(hasPermission(claims, 'a:write')).toBe(true);
    expect(hasPermission(claims, 'a:delete')).toBe(false);
  });

  it('accepts a token that expired less than the 5 s clock tolerance ago', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await sign(accessTokenClaims({ iat: now - 300, exp: now - 2 }));
    await expect(verifyAccessToken(token)).resolves.toMatchObject({ sub: 'usr_test_1' });
  });

  it.each(['JWT', 'at+jwt', 'application/at+jwt'])('accepts typ %s (RFC 9068)', async (typ) => {
    const token = await sign(accessTokenClaims(), { typ });
    await expect(verifyAccessToken(token)).resolves.toMatchObject({ sub: 'usr_test_1' });
  });

  it('accepts a token without a typ header and without optional claims', async () => {
    const token = await sign(
      without(accessTokenClaims(), 'oid', 'roles', 'permissions', 'scope', 'jti'),
    );
    const claims = await verifyAccessToken(token);
    expect(claims).toMatchObject({ oid: undefined, roles: [], permissions: [], scopes: [] });
  });

  const now = () => Math.floor(Date.now() / 1000);
  const forged: Forged[] = [
    { name: 'alg none', make: async () => unsigned({ alg: 'none' }, accessTokenClaims()) },
    {
      name: 'alg none with the real kid',
      make: async () => unsigned({ alg: 'none', kid: realKid, typ: 'JWT' }, accessTokenClaims()),
    },
    {
      name: 'alg "None" spelled differently',
      make: async () => unsigned({ alg: 'None', kid: realKid }, accessTokenClaims()),
    },
    {
      name: 'HS256 signed with the public JWK as the secret',
      make: () =>
        new SignJWT(accessTokenClaims())
          .setProtectedHeader({ alg: 'HS256', kid: realKid })
          .sign(new TextEncoder().encode(JSON.stringify(realPublicJwk))),
    },
    {
      name: 'HS256 signed with the public modulus as the secret',
      make: () =>
        new SignJWT(accessTokenClaims())
          .setProtectedHeader({ alg: 'HS256', kid: realKid })
          .sign(base64url.decode(String(realPublicJwk.n))),
    },
    {
      name: 'another key using the real kid',
      make: () => signAsAttacker(accessTokenClaims(), { alg: 'RS256', kid: realKid }),
    },
    {
      name: 'another key with an unknown kid',
      make: () => signAsAttacker(accessTokenClaims(), { alg: 'RS256', kid: 'snk_attacker' }),
    },
    {
      name: 'another key with no kid',
      make: () => signAsAttacker(accessTokenClaims(), { alg: 'RS256' }),
    },
    {
      name: 'the real key under an unknown kid',
      make: () => sign(accessTokenClaims(), { kid: 'snk_does_not_exist' }),
    },
    ...(['PS256', 'RS512'] as const).map((alg) => ({
      name: `${alg} (not allowed)`,
      make: async () => {
        const { privateKey } = await generateKeyPair(alg);
        return new SignJWT(accessTokenClaims())
          .setProtectedHeader({ alg, kid: realKid })
          .sign(privateKey);
      },
    })),
    {
      name: 'ES256 (not allowed)',
      make: async () => {
        const es = await generateKeyPair('ES256');
        return new SignJWT(accessTokenClaims())
          .setProtectedHeader({ alg: 'ES256', kid: realKid })
          .sign(es.privateKey);
      },
    },
    {
      name: 'payload tampered: another subject',
      make: async () => {
        const [h, , s] = (await sign(accessTokenClaims())).split('.');
        return `${h}.${json(accessTokenClaims({ sub: 'usr_victim' }))}.${s}`;
      },
    },
    {
      name: 'payload tampered: admin role added',
      make: async () => {
        const [h, , s] = (await sign(accessTokenClaims())).split('.');
        return `${h}.${json(accessTokenClaims({ roles: ['admin'] }))}.${s}`;
      },
    },
    {
      name: 'header tampered: typ changed',
      make: async () => {
        const [, p, s] = (await sign(accessTokenClaims())).split('.');
        return `${json({ alg: 'RS256', kid: realKid, typ: 'JWT', x: 1 })}.${p}.${s}`;
      },
    },
    {
      name: 'signature tampered: one character changed',
      make: async () => {
        const token = await sign(accessTokenClaims());
        const last = token.at(-5) === 'A' ? 'B' : 'A';
        return `${token.slice(0, -5)}${last}${token.slice(-4)}`;
      },
    },
    {
      name: 'signature removed',
      make: async () => (await sign(accessTokenClaims())).split('.').slice(0, 2).join('.') + '.',
    },
    {
      name: 'signature from another token',
      make: async () => {
        const [h, p] = (await sign(accessTokenClaims())).split('.');
        const other = (await sign(accessTokenClaims({ sub: 'usr_other' }))).split('.')[2];
        return `${h}.${p}.${other}`;
      },
    },
    { name: 'truncated', make: async () => (await sign(accessTokenClaims())).slice(0, -12) },
    {
      name: 'two segments',
      make: async () => (await sign(accessTokenClaims())).split('.').slice(0, 2).join('.'),
    },
    { name: 'four segments', make: async () => `${await sign(accessTokenClaims())}.AAAA` },
    {
      name: 'a compact JWE',
      make: () =>
        new CompactEncrypt(new TextEncoder().encode(JSON.stringify(accessTokenClaims())))
          .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
          .encrypt(crypto.getRandomValues(new Uint8Array(32))),
    },
    {
      name: 'bad base64url in the header',
      make: async () => `!!!.${(await sign(accessTokenClaims())).split('.').slice(1).join('.')}`,
    },
    {
      name: 'bad base64url in the payload',
      make: async () => {
        const [h, , s] = (await sign(accessTokenClaims())).split('.');
        return `${h}.%%%.${s}`;
      },
    },
    {
      name: 'a header that is not JSON',
      make: async () => `${base64url.encode('not json')}.${json(accessTokenClaims())}.c2ln`,
    },
    { name: 'an empty string', make: async () => '' },
    {
      name: 'a Bearer-prefixed value',
      make: async () => `Bearer ${await sign(accessTokenClaims())}`,
    },
    {
      name: 'a token over 16 KB',
      make: () => sign(accessTokenClaims({ padding: 'x'.repeat(MAX_TOKEN_LENGTH) })),
    },
    {
      name: 'expired',
      code: 'token_expired',
      make: () => sign(accessTokenClaims({ iat: now() - 600, exp: now() - 60 })),
    },
    {
      name: 'nbf in the future',
      make: () => sign(accessTokenClaims({ nbf: now() + 60 })),
    },
    { name: 'no exp', make: () => sign(without(accessTokenClaims(), 'exp')) },
    { name: 'no iat', make: () => sign(without(accessTokenClaims(), 'iat')) },
    {
      name: 'exp as a string',
      make: () => sign(accessTokenClaims({ exp: String(now() + 60) as never })),
    },
    {
      name: 'wrong iss',
      make: () => sign(accessTokenClaims({ iss: 'https://evil.scalekit.com' })),
    },
    {
      name: 'iss with a trailing slash',
      make: () => sign(accessTokenClaims({ iss: `${issuerUrl}/` })),
    },
    {
      name: 'iss on another port',
      make: () => sign(accessTokenClaims({ iss: issuerUrl.replace(/:(\d+)$/, ':1') })),
    },
    { name: 'no iss', make: () => sign(without(accessTokenClaims(), 'iss')) },
    { name: 'wrong aud', make: () => sign(accessTokenClaims({ aud: 'skc_someone_else' })) },
    {
      name: 'aud list without this client',
      make: () => sign(accessTokenClaims({ aud: ['skc_a', 'skc_b'] })),
    },
    { name: 'no aud', make: () => sign(without(accessTokenClaims(), 'aud')) },
    {
      name: 'a token for another client id',
      make: () => sign(accessTokenClaims({ aud: ['skc_other'], client_id: 'skc_other' })),
    },
    {
      name: 'aud naming this client but client_id another',
      make: () => sign(accessTokenClaims({ client_id: 'skc_other' })),
    },
    { name: 'typ logout+jwt', make: () => sign(accessTokenClaims(), { typ: 'logout+jwt' }) },
    {
      name: 'a crit header',
      make: () => sign(accessTokenClaims(), { crit: ['exp'] } as JWSHeaderParameters),
    },
    {
      name: 'jku pointing elsewhere',
      make: () =>
        signAsAttacker(accessTokenClaims(), {
          alg: 'RS256',
          kid: 'snk_attacker',
          jku: 'https://evil.example/keys',
        }),
    },
    {
      name: 'jku on a genuinely signed token',
      make: () => sign(accessTokenClaims(), { jku: 'https://evil.example/keys' }),
    },
    {
      name: 'x5u pointing elsewhere',
      make: () =>
        signAsAttacker(accessTokenClaims(), { alg: 'RS256', x5u: 'https://evil.example/cert' }),
    },
    {
      name: 'an embedded jwk of the attacker',
      make: () =>
        signAsAttacker(accessTokenClaims(), { alg: 'RS256', jwk: attackerPublicJwk as never }),
    },
    {
      name: 'an x5c chain',
      make: () => sign(accessTokenClaims(), { x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A'] }),
    },
    {
      name: 'an ID token (nonce, at_hash, email)',
      make: () =>
        sign(
          without(
            accessTokenClaims({
              nonce: 'n-0S6_WzA2Mj',
              at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q',
              email: 'admin@acme.test',
              azp: clientId,
            }),
            'scope',
            'roles',
            'permissions',
          ),
          { typ: 'JWT' },
        ),
    },
    {
      name: 'an ID token without a nonce (at_hash only)',
      make: () => sign(accessTokenClaims({ at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q' })),
    },
    { name: 'no sub', make: () => sign(without(accessTokenClaims(), 'sub')) },
    { name: 'an empty sub', make: () => sign(accessTokenClaims({ sub: '' })) },
    { name: 'no sid', make: () => sign(without(accessTokenClaims(), 'sid')) },
    { name: 'sid as a number', make: () => sign(accessTokenClaims({ sid: 42 as never })) },
    {
      name: 'roles as a string',
      make: () => sign(accessTokenClaims({ roles: 'admin' as never })),
    },
    {
      name: 'permissions holding a non-string',
      make: () => sign(accessTokenClaims({ permissions: ['a', { b: 1 }] as never })),
    },
    {
      name: 'scope as an array',
      make: () => sign(accessTokenClaims({ scope: ['openid'] as never })),
    },
  ];

  it('has at least 40 forged cases', () => {
    expect(forged.length).toBeGreaterThanOrEqual(40);
  });

  it.each(forged)('rejects $name', async ({ make, code = 'token_invalid' }) => {
    await expectRejected(await make(), code);
  });

  it('rejects an expired token whose other claims are wrong as invalid, not expired', async () => {
    const token = await sign(
      accessTokenClaims({ iat: now() - 600, exp: now() - 60, nonce: 'from-an-id-token' }),
    );
    await expectRejected(token, 'token_invalid');
  });
});
