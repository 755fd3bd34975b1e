/**
 * The floor of verifying a session cookie: exactly one RS256 signature check and one AES-GCM
 * decryption with raw WebCrypto, keys imported and inputs decoded once, before timing. Plain
 * WebCrypto only, so the same code runs in Node and inside the EdgeVM.
 */
export interface FloorInputs {
  /** The access token (compact JWS). */
  token: string;
  /** The same token sealed as the app seals it (compact JWE, `dir` + `A256GCM`). */
  sealed: string;
  /** The issuer's public key for the token's `kid`, as published at `/keys`. */
  jwk: JsonWebKey;
  /** SESSION_COOKIE_SECRET. */
  secret: string;
}

const utf8 = new TextEncoder();

/** The floor operation, and each of its two halves on its own. */
export interface Floor {
  both: () => Promise<void>;
  decrypt: () => Promise<ArrayBuffer>;
  verify: () => Promise<boolean>;
  /** The derived AES key and the imported RSA key, for timing jose with the same keys. */
  aesKey: CryptoKey;
  rsaKey: CryptoKey;
}

export async function prepareFloor(inputs: FloorInputs): Promise<Floor> {
  const [header = '', payload = '', signature = ''] = inputs.token.split('.');
  const signed = utf8.encode(`${header}.${payload}`);
  const signatureBytes = fromBase64url(signature);
  const rsaKey = await crypto.subtle.importKey(
    'jwk',
    inputs.jwk,
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['verify'],
  );

  const [protectedHeader = '', , iv = '', ciphertext = '', tag = ''] = inputs.sealed.split('.');
  const aad = utf8.encode(protectedHeader);
  const ivBytes = fromBase64url(iv);
  const sealedBytes = concat(fromBase64url(ciphertext), fromBase64url(tag));
  const aesKey = await deriveAccessKey(inputs.secret);

  const decrypt = () =>
    crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: ivBytes, additionalData: aad, tagLength: 128 },
      aesKey,
      sealedBytes,
    );
  const verify = () => crypto.subtle.verify('RSASSA-PKCS1-v1_5', rsaKey, signatureBytes, signed);
  const both = async () => {
    const plaintext = await decrypt();
    const valid = await verify();
    if (!valid || plaintext.byteLength === 0) throw new Error('floor: verification failed');
  };
  // Same cookie, same token: if the derivation below drifted from lib/edge/seal.ts this fails.
  if (new TextDecoder().decode(await decrypt()) !== inputs.token) {
    throw new Error('floor: the cookie does not open to the token');
  }
  await both();
  return { both, decrypt, verify, aesKey, rsaKey };
}

/** The key lib/edge/seal.ts derives for the `access` purpose (HKDF-SHA-256 → AES-256-GCM). */
async function deriveAccessKey(secret: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', utf8.encode(secret), 'HKDF', false, [
    'deriveKey',
  ]);
  return crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: utf8.encode('scalekit-nextjs session v1'),
      info: utf8.encode('access'),
    },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['decrypt'],
  );
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
