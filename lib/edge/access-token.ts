import type { JWTPayload } from 'jose';
import { edgeConfig } from './config';
import { AuthError } from './errors';
import type { KeySet } from './jwks';
import { verifyJwt, type TokenKind } from './jwt';

/** The verified claims of a Scalekit access token. */
export interface AccessTokenClaims {
  readonly sub: string;
  readonly sid: string;
  readonly oid: string | undefined;
  readonly roles: readonly string[];
  readonly permissions: readonly string[];
  readonly scopes: readonly string[];
  readonly exp: number;
  readonly iat: number;
  readonly jti: string | undefined;
  readonly clientId: string | undefined;
  readonly payload: Readonly<JWTPayload>;
}

export interface VerifyOptions {
  /** Defaults to the isolate's key set for `<SCALEKIT_ENV_URL>/keys`. */
  keySet?: KeySet;
}

/** RFC 9068 types access tokens `at+jwt`; Scalekit sends `JWT`. */
const ACCESS_TOKEN: TokenKind = {
  name: 'access token',
  typ: ['jwt', 'at+jwt'],
  requiredClaims: ['exp', 'iat', 'sub'],
  invalid: 'token_invalid',
};

/**
 * OpenID Connect defines these only for ID tokens. Scalekit ID tokens carry the client id in
 * `aud` just like access tokens do; the ID tokens of a code exchange carry `at_hash` (Scalekit's
 * token reference lists it, and `nonce` when it is echoed), so each is refused here by this rule.
 */
export const ID_TOKEN_ONLY_CLAIMS = ['nonce', 'at_hash', 'c_hash'] as const;

/** A genuine access token's claims, and whether it has expired (so it is only worth a refresh). */
export interface OpenedAccessToken {
  readonly claims: AccessTokenClaims;
  readonly expired: boolean;
}

/**
 * Fully verifies a Scalekit access token: everything {@link verifyJwt} checks (RS256, signature,
 * `iss`, `aud`, `exp`/`nbf`), `typ` `JWT` or `at+jwt` when present, `sub` and `sid` present,
 * `client_id` ours when present, claim types, and not an ID token. Throws an {@link AuthError}:
 * `token_expired` (otherwise valid, so worth a refresh), `token_invalid`, or `jwks_unavailable`.
 *
 * @example
 * const claims = await verifyAccessToken(token);
 * if (hasRole(claims, 'admin')) { … }
 */
export async function verifyAccessToken(
  token: string,
  options: VerifyOptions = {},
): Promise<AccessTokenClaims> {
  const { claims, expired } = await openAccessToken(token, options);
  if (expired) throw new AuthError('token_expired', 'access token has expired');
  return claims;
}

/**
 * {@link verifyAccessToken}, except that an expired token passes with `expired: true` once every
 * other rule holds. For what an expired session still tells truthfully: whose it was (the refresh
 * binding, sign-out), never for granting access.
 */
export async function openAccessToken(
  token: string,
  options: VerifyOptions = {},
): Promise<OpenedAccessToken> {
  const { payload, expired } = await verifyJwt(token, ACCESS_TOKEN, options.keySet);
  return { claims: readClaims(payload, edgeConfig().clientId), expired };
}

function readClaims(payload: JWTPayload, clientId: string): AccessTokenClaims {
  const invalid = (why: string) => new AuthError('token_invalid', `access token ${why}`);
  for (const claim of ID_TOKEN_ONLY_CLAIMS) {
    if (!absent(payload[claim])) throw invalid(`carries "${claim}": an ID token`);
  }
  if (!isNonEmptyString(payload.sub)) throw invalid('has no "sub"');
  if (isModularSso(payload)) {
    throw new AuthError(
      'full_stack_auth_required',
      'access token has no "sid" and no "oid": a Modular SSO environment (turn on Full Stack Auth)',
    );
  }
  if (!isNonEmptyString(payload.sid)) throw invalid('has no "sid"');
  if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number') {
    throw invalid('has non-numeric "exp" or "iat"');
  }
  if (!absent(payload.client_id) && payload.client_id !== clientId) {
    throw invalid('was issued to another client');
  }
  return {
    sub: payload.sub,
    sid: payload.sid,
    oid: optionalString(payload.oid, 'oid'),
    roles: stringList(payload.roles, 'roles'),
    permissions: stringList(payload.permissions, 'permissions'),
    scopes: optionalString(payload.scope, 'scope')?.split(' ').filter(Boolean) ?? [],
    exp: payload.exp,
    iat: payload.iat,
    jti: optionalString(payload.jti, 'jti'),
    clientId: optionalString(payload.client_id, 'client_id'),
    payload,
  };
}

/**
 * A Modular SSO environment (Scalekit does SSO only; the app keeps its own sessions) issues access
 * tokens with no session (`sid`) and no organization (`oid`), their `sub` naming the connection
 * (`conn_…;…`). Nothing session-related here can work with them.
 */
function isModularSso(payload: JWTPayload): boolean {
  return absent(payload.sid) && (absent(payload.oid) || String(payload.sub).startsWith('conn_'));
}

/**
 * Scalekit documents `roles`, `permissions` and other claims as optional without saying whether
 * an empty one is left out or sent as `null`: both read as absent.
 */
function absent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

export function optionalString(value: unknown, claim: string): string | undefined {
  if (absent(value)) return undefined;
  if (typeof value !== 'string') throw new AuthError('token_invalid', `"${claim}" is not a string`);
  return value;
}

export function stringList(value: unknown, claim: string): string[] {
  if (absent(value)) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new AuthError('token_invalid', `"${claim}" is not a list of strings`);
  }
  return value;
}

/** True when the verified claims grant `role` in the token's organization. */
export function hasRole(claims: Pick<AccessTokenClaims, 'roles'>, role: string): boolean {
  return claims.roles.includes(role);
}

/** True when the verified claims grant `permission`. */
export function hasPermission(
  claims: Pick<AccessTokenClaims, 'permissions'>,
  permission: string,
): boolean {
  return claims.permissions.includes(permission);
}
