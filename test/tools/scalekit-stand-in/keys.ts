import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
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

  /**
   * Signs arbitrary claims with the current key (RS256), so tests can forge well-signed bad tokens.
   * The header defaults to `{alg: 'RS256', typ: 'JWT', kid}` and takes any override as given;
   * the JWS is assembled by hand because jose refuses to sign some of those (`crit`, say).
   */
  async sign(payload: JWTPayload, header: JWSHeaderParameters = {}): Promise<string> {
    const [current] = this.#keys;
    if (!current) throw new Error('the key ring is never empty');
    const input = `${base64url({ alg: 'RS256', typ: 'JWT', kid: current.kid, ...header })}.${base64url(payload)}`;
    return `${input}.${sign('sha256', Buffer.from(input), current.privateKey).toString('base64url')}`;
  }
}
