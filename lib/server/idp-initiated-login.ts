import 'server-only';
import { AuthError } from '@/lib/edge/errors';
import type { KeySet } from '@/lib/edge/jwks';
import { verifyJwt, type TokenKind } from '@/lib/edge/jwt';
import { sanitizeReturnTo } from '@/lib/edge/return-to';

/**
 * The token Scalekit sends to the initiate-login URL as `?idp_initiated_login=` when a person
 * starts at their identity provider. Its `aud` is not documented: checked when present.
 */
const IDP_INITIATED_LOGIN: TokenKind = {
  name: 'IdP-initiated login token',
  typ: ['jwt'],
  requiredClaims: ['exp'],
  audience: 'when-present',
  invalid: 'invalid_request',
};

/** The SDK's `IdpInitiatedLoginClaims` fields that become authorize parameters. */
const ROUTING_CLAIMS = ['connection_id', 'organization_id', 'login_hint'] as const;

export interface IdpInitiatedLogin {
  /** `connection_id`, `organization_id`, `login_hint` as authorize parameters (those present). */
  readonly params: URLSearchParams;
  /** `relay_state`, kept only as a same-origin path. */
  readonly returnTo: string;
}

/**
 * Verifies an IdP-initiated login token with the app's own JWT core, against the same cached key
 * set as every other token: RS256 signature, `iss` exactly `SCALEKIT_ENV_URL`, not expired, `aud`
 * this client when present. (The SDK's `getIdpInitiatedLoginClaims` checks neither issuer nor
 * audience and keeps its key set forever.) The app then starts an ordinary sign-in with PKCE and
 * state for that connection and organization, so no session comes from an unsolicited response.
 * Throws `invalid_request`, or `jwks_unavailable`.
 *
 * @example
 * const { params, returnTo } = await readIdpInitiatedLogin(searchParams.get('idp_initiated_login')!);
 */
export async function readIdpInitiatedLogin(
  token: string,
  keySet?: KeySet,
): Promise<IdpInitiatedLogin> {
  const { payload, expired } = await verifyJwt(token, IDP_INITIATED_LOGIN, keySet);
  if (expired) throw new AuthError('invalid_request', 'IdP-initiated login token has expired');
  const params = new URLSearchParams();
  for (const claim of ROUTING_CLAIMS) {
    const value = payload[claim];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') {
      throw new AuthError('invalid_request', `IdP-initiated login "${claim}" is not a string`);
    }
    params.set(claim, value);
  }
  const relay = typeof payload.relay_state === 'string' ? payload.relay_state : null;
  return { params, returnTo: sanitizeReturnTo(relay) };
}
