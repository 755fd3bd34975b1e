import 'server-only';
import { AuthError } from '@/lib/edge/errors';
import type { KeySet } from '@/lib/edge/jwks';
import { verifyJwt, type TokenKind } from '@/lib/edge/jwt';

/** How long after `iat` a logout token is accepted (and its `jti` must be remembered). */
export const LOGOUT_TOKEN_MAX_AGE_SECONDS = 300;

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** Who an OpenID Connect back-channel logout token signs out: a session, a user, or both. */
export interface LogoutTokenClaims {
  readonly sid: string | undefined;
  readonly sub: string | undefined;
  readonly iat: number;
  /** Unique per logout token: remembered for as long as the token is accepted, so a replay is a no-op. */
  readonly jti: string;
}

/**
 * Section 2.4 of the back-channel spec recommends `typ: logout+jwt`; Scalekit may send `JWT`.
 * Logout tokens must be fresh: they are accepted for five minutes after `iat`, and carry a `jti`.
 */
const LOGOUT_TOKEN: TokenKind = {
  name: 'logout token',
  typ: ['logout+jwt', 'jwt'],
  requiredClaims: ['iat', 'jti'],
  maxTokenAge: `${LOGOUT_TOKEN_MAX_AGE_SECONDS} seconds`,
  invalid: 'token_invalid',
};

/**
 * Verifies a back-channel logout token (OpenID Connect Back-Channel Logout 1.0, section 2.6):
 * everything {@link verifyJwt} checks (RS256 signature against the environment's JWKS, `iss`,
 * `aud` = this client), `iat` no older than five minutes, a `jti`, `typ` `logout+jwt` or `JWT` when
 * present, an `events` object holding the back-channel logout event, `sid` or `sub`, and no
 * `nonce` (so an ID token cannot pose as one). Throws `token_invalid` (or `jwks_unavailable`).
 *
 * @example
 * const { sid, sub } = await verifyLogoutToken(form.get('logout_token'));
 */
export async function verifyLogoutToken(
  token: string,
  options: { keySet?: KeySet } = {},
): Promise<LogoutTokenClaims> {
  const { payload, expired } = await verifyJwt(token, LOGOUT_TOKEN, options.keySet);
  if (expired) throw new AuthError('token_invalid', 'logout token has expired');
  const events = payload.events as Record<string, unknown> | undefined;
  const event = events && typeof events === 'object' ? events[BACKCHANNEL_LOGOUT_EVENT] : undefined;
  if (!event || typeof event !== 'object' || Array.isArray(event)) {
    throw new AuthError('token_invalid', 'logout token has no back-channel logout event');
  }
  if (payload.nonce !== undefined) throw new AuthError('token_invalid', 'logout token has a nonce');
  const sid = typeof payload.sid === 'string' && payload.sid ? payload.sid : undefined;
  const sub = typeof payload.sub === 'string' && payload.sub ? payload.sub : undefined;
  if (!sid && !sub) throw new AuthError('token_invalid', 'logout token names no session or user');
  if (typeof payload.jti !== 'string' || !payload.jti) {
    throw new AuthError('token_invalid', 'logout token has no jti');
  }
  return { sid, sub, iat: payload.iat as number, jti: payload.jti };
}
