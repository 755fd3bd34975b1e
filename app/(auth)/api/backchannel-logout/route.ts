import { NextResponse, type NextRequest } from 'next/server';
import { AuthError, isAuthError } from '@/lib/edge/errors';
import { CLOCK_TOLERANCE_SECONDS } from '@/lib/edge/jwt';
import { noStore } from '@/lib/edge/responses';
import { serverConfig } from '@/lib/server/env';
import { LOGOUT_TOKEN_MAX_AGE_SECONDS, verifyLogoutToken } from '@/lib/server/logout-token';
import { revocationHorizon, revokeSession, revokeSubject } from '@/lib/server/revocation';
import { readAtMost } from '@/lib/server/read-body';
import { authRoute, failRoute } from '@/lib/server/route-handler';
import { getStore } from '@/lib/server/store/get-store';

const MAX_BODY_BYTES = 16 * 1024;

/**
 * OpenID Connect Back-Channel Logout: Scalekit posts a signed `logout_token` when a session ends
 * elsewhere (another app, an admin, the session timing out). The session (or, with only `sub`,
 * every earlier session of the user) goes on the revocation list for as long as its cookies could
 * live: the middleware refuses it with `SESSION_REVOCATION=strict`, and `/api/refresh` never
 * renews it. A replayed token (same `jti`) changes nothing. Answers 200, 400 `invalid_request`,
 * or 503 (`jwks_unavailable`, `store_unavailable`) for Scalekit to retry.
 */
export const POST = authRoute({ rateLimit: 'backchannel-logout' }, async (request: NextRequest) => {
  const invalid = (why: string) => failRoute(request, new AuthError('invalid_request', why));
  const type = request.headers.get('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) return invalid('not a form post');
  const body = await readAtMost(request, MAX_BODY_BYTES);
  if (body === null) return invalid('body over 16 KB');
  const token = new URLSearchParams(body).get('logout_token');
  if (!token) return invalid('no logout_token');

  let claims;
  try {
    claims = await verifyLogoutToken(token);
  } catch (err) {
    if (isAuthError(err, 'jwks_unavailable')) return failRoute(request, err);
    return invalid(isAuthError(err) ? err.message : 'logout token failed verification');
  }
  const store = getStore();
  const until = revocationHorizon(serverConfig());
  const jtiKey = `logout:jti:${claims.jti}`;
  const jtiTtlMs = (LOGOUT_TOKEN_MAX_AGE_SECONDS + 2 * CLOCK_TOLERANCE_SECONDS) * 1000;
  try {
    // A jti counts as handled only once its revocation is stored: Scalekit's retry after a 503
    // revokes again, while a replay of a handled token changes nothing (for a `sub`-only token a
    // replay would otherwise move the revocation time forward).
    const claimed = await store.setIfAbsent(jtiKey, 'pending', jtiTtlMs);
    if (!claimed && (await store.get(jtiKey)) === 'done') {
      return noStore(new NextResponse(null, { status: 200 }));
    }
    if (claims.sid) await revokeSession(store, claims.sid, until);
    else if (claims.sub) await revokeSubject(store, claims.sub, until);
    await store.set(jtiKey, 'done', jtiTtlMs);
  } catch (err) {
    if (isAuthError(err, 'store_unavailable')) return failRoute(request, err);
    throw err;
  }
  return noStore(new NextResponse(null, { status: 200 }));
});
