import 'server-only';
import { jwtVerify, type JWTPayload } from 'jose';
import { edgeConfig } from '@/lib/edge/config';
import { AuthError } from '@/lib/edge/errors';
import { scalekitKeySet, type KeySet } from '@/lib/edge/jwks';

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

/**
 * Verifies an ID token from the code exchange, which `@scalekit-sdk/node` only decodes: RS256
 * signature against the environment's JWKS, `iss`, `aud` = this client, `exp` (5 s tolerance) and
 * `nonce` equal to the one stored with the login transaction. Throws `id_token_invalid`.
 *
 * @example
 * const profile = await verifyIdToken(idToken, { nonce: transaction.nonce });
 */
export async function verifyIdToken(
  token: string,
  options: { nonce: string; keySet?: KeySet },
): Promise<IdTokenClaims> {
  const config = edgeConfig();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, options.keySet ?? scalekitKeySet(), {
      algorithms: ['RS256'],
      issuer: config.envUrl,
      audience: config.clientId,
      clockTolerance: 5,
      requiredClaims: ['exp', 'iat', 'sub', 'nonce'],
    }));
  } catch (err) {
    throw new AuthError('id_token_invalid', 'ID token failed verification', { cause: err });
  }
  if (payload.nonce !== options.nonce || typeof payload.sub !== 'string' || !payload.sub) {
    throw new AuthError('id_token_invalid', 'ID token nonce or subject does not match');
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
