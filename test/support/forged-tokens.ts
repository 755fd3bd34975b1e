import {
  base64url,
  CompactEncrypt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type JWK,
  type JWSHeaderParameters,
  type JWTHeaderParameters,
  type JWTPayload,
} from 'jose';
import type { AuthErrorCode } from '@/lib/edge/errors';
import { MAX_TOKEN_LENGTH } from '@/lib/edge/jwt';
import type { IssuerControl } from './issuer-control';

/** JWS header members to change; one set to `null` is left out (the stand-in's sign control). */
export type HeaderChange = Readonly<Record<string, unknown>>;

/** One change to a genuine baseline token. */
export interface Change {
  /** Claims replaced or added. */
  readonly claims?: JWTPayload;
  /** Claims removed. */
  readonly without?: readonly string[];
  readonly header?: HeaderChange;
}

/** A row of a forged-token table: how to make the token, and the code it must be refused with. */
export interface ForgedToken {
  readonly name: string;
  readonly make: () => Promise<string>;
  /** When not the token kind's usual code. */
  readonly code?: AuthErrorCode;
}

export interface Baseline {
  /** Genuine claims of the kind, made afresh for every token (their times are "now"). */
  readonly claims: () => JWTPayload;
  /** The kind's usual header, beyond `alg: RS256` and the current `kid`. */
  readonly header: HeaderChange;
}

const json = (value: unknown) => base64url.encode(JSON.stringify(value));
const withoutNulls = (header: HeaderChange) =>
  Object.fromEntries(Object.entries(header).filter(([, value]) => value !== null));

/**
 * Forges tokens of one kind from a genuine baseline: the kind's claims and header, signed by the
 * local Scalekit stand-in's real key. Each forged token is the baseline with one change, so a
 * table row that names a rule fails for that rule alone: the key, when the row is about the key;
 * the stand-in's real key otherwise.
 *
 * @example
 * const forge = tokenForge(control, issuerUrl, { claims: accessTokenClaims, header: { typ: 'JWT' } });
 * await verifyAccessToken(await forge.genuine()); // the baseline verifies
 * await forge.genuine({ claims: { iss: 'https://evil.example' } }); // one rule broken
 */
export function tokenForge(control: IssuerControl, issuerUrl: string, baseline: Baseline) {
  let keys: Promise<ForgeKeys> | undefined;
  /** The stand-in's current kid and public key, and another RSA key; fetched on first use. */
  const loadKeys = () => (keys ??= fetchKeys(control, issuerUrl));

  const payload = (change: Change = {}): JWTPayload => {
    const claims: JWTPayload = { ...baseline.claims(), ...change.claims };
    for (const claim of change.without ?? []) delete claims[claim];
    return claims;
  };
  const header = async (change: Change = {}): Promise<HeaderChange> => ({
    alg: 'RS256',
    kid: (await loadKeys()).realKid,
    ...baseline.header,
    ...change.header,
  });

  /** The baseline with `change`, signed by the stand-in's real key (per the header's `alg`). */
  const genuine = async (change?: Change) =>
    control.sign(payload(change), (await header(change)) as JWSHeaderParameters);
  /** The baseline with `change`, signed by another key with `alg`. */
  const signedWith = async (key: CryptoKey | Uint8Array, alg: string, change?: Change) =>
    new SignJWT(payload(change))
      .setProtectedHeader({ ...withoutNulls(await header(change)), alg } as JWTHeaderParameters)
      .sign(key);
  /** The baseline with `change`, without a signature. */
  const unsigned = async (change?: Change) =>
    `${json(withoutNulls(await header(change)))}.${json(payload(change))}.`;
  /** A genuine baseline token with one of its three parts replaced. */
  const withPart = async (index: 0 | 1 | 2, part: string) => {
    const parts = (await genuine()).split('.');
    parts[index] = part;
    return parts.join('.');
  };

  return { keys: loadKeys, payload, header, genuine, signedWith, unsigned, withPart };
}

interface ForgeKeys {
  readonly realKid: string;
  readonly realPublicJwk: JWK;
  readonly attacker: CryptoKey;
  readonly attackerPublicJwk: JWK;
}

async function fetchKeys(control: IssuerControl, issuerUrl: string): Promise<ForgeKeys> {
  const realKid = decodeProtectedHeader(await control.sign({})).kid!;
  const published = (await (await fetch(`${issuerUrl}/keys`)).json()) as { keys: JWK[] };
  const attacker = await generateKeyPair('RS256', { extractable: true });
  return {
    realKid,
    // The key that signs now: after a rotation, /keys lists older ones too.
    realPublicJwk: published.keys.find((key) => key.kid === realKid)!,
    attacker: attacker.privateKey,
    attackerPublicJwk: await exportJWK(attacker.publicKey),
  };
}

export type TokenForge = ReturnType<typeof tokenForge>;

/**
 * The rows every Scalekit token kind refuses alike, since one core verifies them all: the key and
 * algorithm, headers that point at other keys, tampering, and malformed compact serializations.
 */
export function keyAndFormRows(forge: TokenForge): ForgedToken[] {
  const { genuine, signedWith, unsigned, withPart, payload, header, keys } = forge;
  return [
    { name: 'alg none', make: () => unsigned({ header: { alg: 'none' } }) },
    { name: 'alg "None"', make: () => unsigned({ header: { alg: 'None' } }) },
    {
      name: 'alg none over a signature by the real key',
      make: () => genuine({ header: { alg: 'none' } }),
    },
    { name: 'PS256 signed by the real key', make: () => genuine({ header: { alg: 'PS256' } }) },
    { name: 'RS512 signed by the real key', make: () => genuine({ header: { alg: 'RS512' } }) },
    {
      name: 'HS256 with the public JWK as the secret',
      make: async () =>
        signedWith(new TextEncoder().encode(JSON.stringify((await keys()).realPublicJwk)), 'HS256'),
    },
    {
      name: 'HS256 with the public modulus as the secret',
      make: async () => signedWith(base64url.decode((await keys()).realPublicJwk.n!), 'HS256'),
    },
    {
      name: 'ES256 under the real kid',
      make: async () => signedWith((await generateKeyPair('ES256')).privateKey, 'ES256'),
    },
    {
      name: 'another RSA key under the real kid',
      make: async () => signedWith((await keys()).attacker, 'RS256'),
    },
    {
      name: 'another RSA key under a kid of its own',
      make: async () =>
        signedWith((await keys()).attacker, 'RS256', { header: { kid: 'snk_attacker' } }),
    },
    {
      name: 'the real key under an unknown kid',
      make: () => genuine({ header: { kid: 'snk_does_not_exist' } }),
    },
    { name: 'no kid', make: () => genuine({ header: { kid: null } }) },
    { name: 'an empty kid', make: () => genuine({ header: { kid: '' } }) },
    {
      name: 'a jku header pointing elsewhere',
      make: () => genuine({ header: { jku: 'https://evil.example/keys' } }),
    },
    {
      name: 'an x5u header pointing elsewhere',
      make: () => genuine({ header: { x5u: 'https://evil.example/cert' } }),
    },
    {
      name: 'an embedded jwk of another key',
      make: async () => genuine({ header: { jwk: (await keys()).attackerPublicJwk } }),
    },
    {
      name: 'an x5c chain',
      make: () => genuine({ header: { x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A'] } }),
    },
    { name: 'a crit header', make: () => genuine({ header: { crit: ['exp'] } }) },
    {
      name: 'payload tampered: another subject',
      make: () => withPart(1, json(payload({ claims: { sub: 'usr_victim' } }))),
    },
    {
      name: 'payload tampered: a role added',
      make: () => withPart(1, json(payload({ claims: { roles: ['admin'] } }))),
    },
    {
      name: 'header tampered: a member added',
      make: () => withPart(0, json({ ...header(), x: 1 })),
    },
    {
      name: 'signature tampered: one character changed',
      make: async () => {
        const token = await genuine();
        const changed = token.at(-5) === 'A' ? 'B' : 'A';
        return `${token.slice(0, -5)}${changed}${token.slice(-4)}`;
      },
    },
    { name: 'signature removed', make: () => withPart(2, '') },
    {
      name: 'the signature of another token',
      make: async () =>
        withPart(2, (await genuine({ claims: { sub: 'usr_other' } })).split('.')[2]!),
    },
    { name: 'truncated', make: async () => (await genuine()).slice(0, -12) },
    {
      name: 'two segments',
      make: async () => (await genuine()).split('.').slice(0, 2).join('.'),
    },
    { name: 'four segments', make: async () => `${await genuine()}.AAAA` },
    {
      name: 'a compact JWE of the claims',
      make: () =>
        new CompactEncrypt(new TextEncoder().encode(JSON.stringify(payload())))
          .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
          .encrypt(crypto.getRandomValues(new Uint8Array(32))),
    },
    { name: 'bad base64url in the header', make: () => withPart(0, '!!!') },
    { name: 'bad base64url in the payload', make: () => withPart(1, '%%%') },
    {
      name: 'a header that is not JSON',
      make: () => withPart(0, base64url.encode('not json')),
    },
    { name: 'an empty string', make: async () => '' },
    { name: 'a Bearer-prefixed token', make: async () => `Bearer ${await genuine()}` },
    {
      name: 'a token over 16 KB',
      make: () => genuine({ claims: { padding: 'x'.repeat(MAX_TOKEN_LENGTH) } }),
    },
  ];
}
