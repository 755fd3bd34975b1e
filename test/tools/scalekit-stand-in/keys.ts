import { constants, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import {
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWSHeaderParameters,
  type JWTPayload,
} from 'jose';
import { scalekitId } from './ids';

interface SigningKey {
  kid: string;
  privateJwk: JWK;
  privateKey: KeyObject;
}

async function newSigningKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = scalekitId('snk');
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateJwk, privateKey: createPrivateKey({ key: privateJwk, format: 'jwk' }) };
}

/** The JWS algorithms an RSA key signs with (RFC 7518, 3.3 and 3.5). */
const RSA_SIGNATURES: Record<string, { hash: string; pss: boolean }> = {
  RS256: { hash: 'sha256', pss: false },
  RS384: { hash: 'sha384', pss: false },
  RS512: { hash: 'sha512', pss: false },
  PS256: { hash: 'sha256', pss: true },
  PS384: { hash: 'sha384', pss: true },
  PS512: { hash: 'sha512', pss: true },
};

const base64url = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');

/**
 * The issuer's RS256 signing keys, newest first. Rotation keeps every older key so tokens they
 * signed still verify against /keys, as they do at Scalekit while a rotation rolls out.
 */
export class KeyRing {
  readonly #keys: SigningKey[];

  private constructor(first: SigningKey) {
    this.#keys = [first];
  }

  static async create(): Promise<KeyRing> {
    return new KeyRing(await newSigningKey());
  }

  /** Adds a key that signs from now on; returns its kid. */
  async rotate(): Promise<string> {
    const key = await newSigningKey();
    this.#keys.unshift(key);
    return key.kid;
  }

  /**
   * The private JWKS for oidc-provider, which publishes the public halves at /keys and signs with
   * the first key that fits the algorithm: the newest.
   */
  privateJwks(): { keys: JsonWebKey[] } {
    return { keys: this.#keys.map((key) => ({ ...key.privateJwk })) };
  }

  /** The public halves, as /keys publishes them (for checking the stand-in's own tokens). */
  publicJwks(): JWK[] {
    return this.#keys.map(({ privateJwk: { kty, n, e, kid, alg, use } }) => ({
      kty,
      n,
      e,
      kid,
      alg,
      use,
    }));
  }

  /**
   * Signs arbitrary claims with the current key, so tests can forge well-signed bad tokens. The
   * header defaults to `{alg: 'RS256', typ: 'JWT', kid}` and takes any override as given; a member
   * set to `null` is left out (a token without a `kid`, say). The signature follows the header's
   * `alg` when the RSA key can make it (RS256/384/512, PS256/384/512), so a token refused for its
   * algorithm is refused for nothing else; any other `alg` gets an RS256 signature. The JWS is
   * assembled by hand because jose refuses to sign some of those headers (`crit`, say).
   */
  async sign(payload: JWTPayload, header: JWSHeaderParameters = {}): Promise<string> {
    const [current] = this.#keys;
    if (!current) throw new Error('the key ring is never empty');
    const protectedHeader = Object.fromEntries(
      Object.entries({ alg: 'RS256', typ: 'JWT', kid: current.kid, ...header }).filter(
        ([, value]) => value !== null,
      ),
    );
    const input = `${base64url(protectedHeader)}.${base64url(payload)}`;
    const { hash, pss } = RSA_SIGNATURES[String(protectedHeader.alg)] ?? RSA_SIGNATURES.RS256!;
    const key = pss
      ? {
          key: current.privateKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        }
      : current.privateKey;
    return `${input}.${sign(hash, Buffer.from(input), key).toString('base64url')}`;
  }
}
