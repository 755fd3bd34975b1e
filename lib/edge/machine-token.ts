import type { JWTPayload } from 'jose';
import {
  ID_TOKEN_ONLY_CLAIMS,
  isNonEmptyString,
  optionalString,
  stringList,
  type VerifyOptions,
} from './access-token';
import { AuthError } from './errors';
import { verifyJwt, type TokenKind } from './jwt';

/**
 * The verified claims of an access token Scalekit issued to an M2M client (client-credentials):
 * the client (`sub`, `client_id`), its organization (`oid`) and its `scopes`; no session, no user.
 */
export interface MachineClaims {
  /** The M2M client (Scalekit: `m2morg_…`, the same as `client_id`). */
  readonly sub: string;
  readonly clientId: string | undefined;
  /** The organization the client belongs to. */
  readonly oid: string | undefined;
  readonly scopes: readonly string[];
  readonly exp: number;
  readonly iat: number;
  readonly jti: string | undefined;
  readonly payload: Readonly<JWTPayload>;
}

/**
 * Machine callers' tokens go through the same JWT core as sessions (RS256, a JWKS key by `kid`,
 * `iss`, `exp`/`nbf`), with `aud` = `SCALEKIT_API_AUDIENCE`: the audience the M2M clients are
 * registered with, never this app's client id, so a person's session token can never pass as one.
 */
const MACHINE_TOKEN: TokenKind = {
  name: 'machine token',
  typ: ['jwt', 'at+jwt'],
  requiredClaims: ['exp', 'iat', 'sub'],
  invalid: 'token_invalid',
  audience: (config) => config.apiAudience,
};

/**
 * Fully verifies a bearer token from a machine caller, with no network call once the JWKS is
 * held. Throws an {@link AuthError}: `token_expired`, `token_invalid` (also when
 * `SCALEKIT_API_AUDIENCE` is unset, or for a token that carries a user session's `sid`), or
 * `jwks_unavailable`.
 *
 * @example
 * const claims = await verifyMachineToken(token);
 * if (!claims.scopes.includes('reports:read')) return bearerErrorJson('insufficient_scope');
 */
export async function verifyMachineToken(
  token: string,
  options: VerifyOptions = {},
): Promise<MachineClaims> {
  const { payload, expired } = await verifyJwt(token, MACHINE_TOKEN, options.keySet);
  if (expired) throw new AuthError('token_expired', 'machine token has expired');
  return readMachineClaims(payload);
}

function readMachineClaims(payload: JWTPayload): MachineClaims {
  const invalid = (why: string) => new AuthError('token_invalid', `machine token ${why}`);
  for (const claim of ID_TOKEN_ONLY_CLAIMS) {
    if (payload[claim] !== undefined) throw invalid(`carries "${claim}": an ID token`);
  }
  if (payload.sid !== undefined) throw invalid('carries "sid": a user session token');
  if (!isNonEmptyString(payload.sub)) throw invalid('has no "sub"');
  if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number') {
    throw invalid('has non-numeric "exp" or "iat"');
  }
  // Scalekit documents a `scopes` array; a `scope` string (RFC 9068) is read the same way.
  const scopes =
    payload.scopes !== undefined
      ? stringList(payload.scopes, 'scopes')
      : (optionalString(payload.scope, 'scope')?.split(' ').filter(Boolean) ?? []);
  return {
    sub: payload.sub,
    clientId: optionalString(payload.client_id, 'client_id'),
    oid: optionalString(payload.oid, 'oid'),
    scopes,
    exp: payload.exp,
    iat: payload.iat,
    jti: optionalString(payload.jti, 'jti'),
    payload,
  };
}
