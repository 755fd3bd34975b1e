import 'server-only';
import { verifyAccessToken, type AccessTokenClaims } from '@/lib/edge/access-token';
import { AuthError, isAuthError } from '@/lib/edge/errors';
import { getStore } from '@/lib/server/store/get-store';
import { serverConfig } from './env';
import { singleFlightRefresh, type TokenPair } from './refresh-single-flight';
import { isTransient, observeTokenEndpoint, scalekit } from './scalekit';

export interface RefreshedSession extends TokenPair {
  readonly claims: AccessTokenClaims;
  /**
   * When the new pair was in hand (`performance.now()`): a revocation check that must come after
   * the redemption reads nothing sent before this moment.
   */
  readonly redeemedAt: number;
}

/**
 * Rotates a refresh token at Scalekit (once, however many requests ask at the same moment) and
 * verifies the new access token through the same module the middleware uses.
 *
 * Throws `refresh_unavailable` for transient faults (network, timeout, 408, 429, 5xx, JWKS
 * unreachable): keep the session and retry. Throws `refresh_failed` when Scalekit rejected the
 * token (`invalid_grant` and other 4xx) or answered with something unusable: end the session.
 *
 * @example
 * const { accessToken, refreshToken, claims } = await refreshSession(oldRefreshToken);
 */
export async function refreshSession(refreshToken: string): Promise<RefreshedSession> {
  const config = serverConfig();
  const pair = await singleFlightRefresh(refreshToken, redeem, {
    store: getStore(),
    secrets: config.sessionSecrets,
    lockTtlMs: config.scalekitTimeoutMs + 5_000,
  });
  const redeemedAt = performance.now();
  try {
    return { ...pair, claims: await verifyAccessToken(pair.accessToken), redeemedAt };
  } catch (err) {
    if (isAuthError(err, 'jwks_unavailable')) {
      throw new AuthError('refresh_unavailable', 'could not verify the refreshed token', {
        cause: err,
      });
    }
    throw new AuthError('refresh_failed', 'Scalekit returned an access token that does not verify');
  }
}

async function redeem(refreshToken: string): Promise<TokenPair> {
  const result = await observeTokenEndpoint(() => scalekit().refreshAccessToken(refreshToken));
  if (!result.ok) {
    // Never pass the SDK's message on: it can carry provider text.
    throw isTransient(result.failure)
      ? new AuthError('refresh_unavailable', 'Scalekit could not be reached to refresh the session')
      : new AuthError('refresh_failed', 'Scalekit rejected the refresh token');
  }
  const { accessToken, refreshToken: rotated } = result.value;
  if (typeof accessToken !== 'string' || typeof rotated !== 'string' || !accessToken || !rotated) {
    throw new AuthError('refresh_failed', 'Scalekit answered a refresh without both tokens');
  }
  return { accessToken, refreshToken: rotated };
}
