import 'server-only';
import type { JWTPayload } from 'jose';
import { AuthError } from '@/lib/edge/errors';
import type { KeySet } from '@/lib/edge/jwks';
import { verifyJwt, type TokenKind } from '@/lib/edge/jwt';

/** The profile an ID token carries; every field checked for type before use. */
export interface IdTokenClaims {
  readonly sub: string;
  readonly email: string | undefined;
  readonly emailVerified: boolean | undefined;
  readonly name: string | undefined;
  readonly givenName: string | undefined;
  readonly familyName: string | undefined;
  readonly oid: string | undefined;
}

/** ID tokens carry a `nonce` (this app always sends one); OpenID Connect gives them no `typ`. */
const ID_TOKEN: TokenKind = {
  name: 'ID token',
  typ: ['jwt'],
  requiredClaims: ['exp', 'iat', 'sub', 'nonce'],
  invalid: 'id_token_invalid',
};

/**
 * Verifies an ID token from the code exchange, which `@scalekit-sdk/node` only decodes: everything
 * {@link verifyJwt} checks (RS256 signature against the environment's JWKS, `iss`, `aud` = this
 * client, `exp`), and `nonce` equal to the one stored with the login transaction. Throws
 * `id_token_invalid` (or `jwks_unavailable`).
 *
 * @example
 * const profile = await verifyIdToken(idToken, { nonce: transaction.nonce });
 */
export async function verifyIdToken(
  token: string,
  options: { nonce: string; keySet?: KeySet },
): Promise<IdTokenClaims> {
  const { payload, expired } = await verifyJwt(token, ID_TOKEN, options.keySet);
  if (expired) throw new AuthError('id_token_invalid', 'ID token has expired');
  if (payload.nonce !== options.nonce) {
    throw new AuthError('id_token_invalid', 'ID token nonce does not match');
  }
  if (typeof payload.sub !== 'string' || !payload.sub) {
    throw new AuthError('id_token_invalid', 'ID token has no subject');
  }
  return readProfile(payload);
}

/** Reads the profile of an ID token that was verified before (e.g. one kept in a sealed cookie). */
export function readProfile(payload: JWTPayload): IdTokenClaims {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    sub: text(payload.sub) ?? '',
    email: text(payload.email),
    emailVerified: typeof payload.email_verified === 'boolean' ? payload.email_verified : undefined,
    name: text(payload.name),
    givenName: text(payload.given_name),
    familyName: text(payload.family_name),
    oid: text(payload.oid),
  };
}
