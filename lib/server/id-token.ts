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

/** OpenID Connect gives ID tokens no `typ`; `nonce` is checked below, not required. */
const ID_TOKEN: TokenKind = {
  name: 'ID token',
  typ: ['jwt'],
  requiredClaims: ['exp', 'iat', 'sub'],
  invalid: 'id_token_invalid',
};

let reportedMissingNonce = false;

/**
 * Verifies an ID token from the code exchange, which `@scalekit-sdk/node` only decodes: everything
 * {@link verifyJwt} checks (RS256 signature against the environment's JWKS, `iss`, `aud` = this
 * client, `exp`), and the `nonce` stored with the login transaction when the token carries one.
 * No Scalekit source says its ID tokens echo `nonce`, so one without (absent or `null`) is
 * accepted: the code it came with was bound to this browser by PKCE S256 and `state`. A `nonce`
 * that is present and different is refused. Throws `id_token_invalid` (or `jwks_unavailable`).
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
  if (payload.nonce === undefined || payload.nonce === null) {
    if (!reportedMissingNonce) {
      reportedMissingNonce = true;
      console.warn(
        JSON.stringify({
          event: 'auth_notice',
          detail:
            'Scalekit sent an ID token without "nonce"; accepted (the code is bound by PKCE S256)',
        }),
      );
    }
  } else if (payload.nonce !== options.nonce) {
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
