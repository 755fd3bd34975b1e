import 'server-only';
import { jwtVerify, type JWTPayload } from 'jose';
import { edgeConfig } from '@/lib/edge/config';
import { AuthError } from '@/lib/edge/errors';
import { scalekitKeySet, type KeySet } from '@/lib/edge/jwks';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** Who an OpenID Connect back-channel logout token signs out: a session, a user, or both. */
export interface LogoutTokenClaims {
  readonly sid: string | undefined;
  readonly sub: string | undefined;
  readonly iat: number;
}

/**
 * Verifies a back-channel logout token (OpenID Connect Back-Channel Logout 1.0, section 2.6):
 * RS256 signature against the environment's JWKS, `iss`, `aud` = this client, `iat` no older than
 * five minutes, `typ` `logout+jwt` when present, an `events` object holding the back-channel
 * logout event, `sid` or `sub`, and no `nonce` (so an ID token cannot pose as one). Throws
 * `token_invalid`.
 *
 * @example
 * const { sid, sub } = await verifyLogoutToken(form.get('logout_token'));
 */
export async function verifyLogoutToken(
  token: string,
  options: { keySet?: KeySet } = {},
): Promise<LogoutTokenClaims> {
  const config = edgeConfig();
  const keySet = options.keySet ?? scalekitKeySet();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(
      token,
      (header, jws) => {
        if (header.typ !== undefined && header.typ.toLowerCase() !== 'logout+jwt') {
          throw new AuthError('token_invalid', 'unexpected "typ" header');
        }
        return keySet(header, jws);
      },
      {
        algorithms: ['RS256'],
        issuer: config.envUrl,
        audience: config.clientId,
        clockTolerance: 5,
        maxTokenAge: '5 minutes',
        requiredClaims: ['iat'],
      },
    ));
  } catch (err) {
    if (err instanceof AuthError) throw err;
    throw new AuthError('token_invalid', 'logout token failed verification', { cause: err });
  }
  const events = payload.events as Record<string, unknown> | undefined;
  const event = events && typeof events === 'object' ? events[BACKCHANNEL_LOGOUT_EVENT] : undefined;
  if (!event || typeof event !== 'object' || Array.isArray(event)) {
    throw new AuthError('token_invalid', 'logout token has no back-channel logout event');
  }
  if (payload.nonce !== undefined) throw new AuthError('token_invalid', 'logout token has a nonce');
  const sid = typeof payload.sid === 'string' && payload.sid ? payload.sid : undefined;
  const sub = typeof payload.sub === 'string' && payload.sub ? payload.sub : undefined;
  if (!sid && !sub) throw new AuthError('token_invalid', 'logout token names no session or user');
  return { sid, sub, iat: payload.iat as number };
}
