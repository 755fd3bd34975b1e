import { CompactEncrypt, base64url } from 'jose';
import { AuthError } from './errors';

/**
 * What a sealed value is for. Each purpose gets its own key, so a value sealed as one (say the
 * refresh token) cannot be replayed in another cookie's place.
 */
export type SealPurpose = 'access' | 'refresh' | 'id' | 'transaction' | 'store';

interface DerivedKey {
  readonly kid: string;
  readonly key: CryptoKey;
}

const utf8 = new TextEncoder();
const keyCache = new Map<string, Promise<DerivedKey>>();

async function deriveKey(secret: string, purpose: SealPurpose): Promise<DerivedKey> {
  const material = await crypto.subtle.importKey('raw', utf8.encode(secret), 'HKDF', false, [
    'deriveKey',
  ]);
  const key = await crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: utf8.encode('scalekit-nextjs session v1'),
      info: utf8.encode(purpose),
    },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
  // The `kid` names the secret (not the purpose) so opening picks the right secret at once
  // during a rotation; 8 bytes of a hash reveal nothing usable about a ≥32-byte secret.
  const digest = await crypto.subtle.digest('SHA-256', utf8.encode(`kid:${secret}`));
  return { kid: base64url.encode(new Uint8Array(digest).slice(0, 8)), key };
}

function keyFor(secret: string, purpose: SealPurpose): Promise<DerivedKey> {
  const id = `${purpose}\u0000${secret}`;
  let key = keyCache.get(id);
  if (!key) {
    key = deriveKey(secret, purpose);
    keyCache.set(id, key);
  }
  return key;
}

/**
 * Encrypts `plaintext` as a compact JWE (`dir`, `A256GCM`) with a key derived by HKDF from the
 * first secret. The result is cookie-safe (base64url and dots).
 *
 * @example
 * const value = await seal(accessToken, 'access', config.sessionSecrets);
 */
export async function seal(
  plaintext: string,
  purpose: SealPurpose,
  secrets: readonly string[],
): Promise<string> {
  const [current] = secrets;
  if (!current) throw new AuthError('config_invalid', 'no session secret to seal with');
  const { kid, key } = await keyFor(current, purpose);
  return new CompactEncrypt(utf8.encode(plaintext))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid })
    .encrypt(key);
}

/**
 * Opens a value sealed by {@link seal} with any of the secrets (rotation: the old ones still
 * open). Returns `null` for anything that does not open: tampered, truncated, another purpose,
 * an unknown secret, or not a JWE at all. It never throws for bad input.
 *
 * This runs on every request, so it decrypts with WebCrypto directly instead of through jose's
 * general JWE code (about half the time). It accepts exactly what {@link seal} writes — compact,
 * `dir`, `A256GCM`, `kid`, no other header — and authenticates the protected header as the JWE
 * specification says (it is the AES-GCM additional data).
 */
export async function unseal(
  sealed: string,
  purpose: SealPurpose,
  secrets: readonly string[],
): Promise<string | null> {
  const parsed = parseCompact(sealed);
  if (parsed === null) return null;
  for (const secret of secrets) {
    const derived = await keyFor(secret, purpose);
    if (derived.kid !== parsed.kid) continue;
    try {
      const plaintext = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: parsed.iv, additionalData: parsed.aad, tagLength: 128 },
        derived.key,
        parsed.data,
      );
      return new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
    } catch {
      return null;
    }
  }
  return null;
}

interface Compact {
  kid: string;
  iv: Uint8Array<ArrayBuffer>;
  aad: Uint8Array<ArrayBuffer>;
  /** Ciphertext followed by the 16-byte tag, as WebCrypto takes it. */
  data: Uint8Array<ArrayBuffer>;
}

function parseCompact(sealed: string): Compact | null {
  if (typeof sealed !== 'string' || sealed.length > 64 * 1024) return null;
  const parts = sealed.split('.');
  if (parts.length !== 5) return null;
  const [protectedHeader = '', encryptedKey, iv = '', ciphertext = '', tag = ''] = parts;
  if (encryptedKey !== '' || !protectedHeader || protectedHeader.length > 512) return null;
  try {
    const header: unknown = JSON.parse(new TextDecoder().decode(base64url.decode(protectedHeader)));
    const { alg, enc, kid } = (header ?? {}) as Record<string, unknown>;
    const onlyOurs = header !== null && Object.keys(header as object).length === 3;
    if (!onlyOurs || alg !== 'dir' || enc !== 'A256GCM' || typeof kid !== 'string') return null;
    const ivBytes = base64url.decode(iv);
    const tagBytes = base64url.decode(tag);
    const cipherBytes = base64url.decode(ciphertext);
    if (ivBytes.length !== 12 || tagBytes.length !== 16) return null;
    const data = new Uint8Array(cipherBytes.length + tagBytes.length);
    data.set(cipherBytes);
    data.set(tagBytes, cipherBytes.length);
    return { kid, iv: new Uint8Array(ivBytes), aad: utf8.encode(protectedHeader), data };
  } catch {
    return null;
  }
}
