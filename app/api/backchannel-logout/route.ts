import { NextResponse, type NextRequest } from 'next/server';
import { AuthError, isAuthError } from '@/lib/edge/errors';
import { noStore } from '@/lib/edge/responses';
import { verifyLogoutToken } from '@/lib/server/logout-token';
import { revokeSession, revokeSubject } from '@/lib/server/revocation';
import { authRoute, failRoute } from '@/lib/server/route-handler';
import { getStore } from '@/lib/server/store/get-store';

/** No Scalekit access token outlives this; revocations are kept that long after a logout token. */
const MAX_ACCESS_TOKEN_LIFETIME_SECONDS = 24 * 3600;
const MAX_BODY_BYTES = 16 * 1024;

/**
 * OpenID Connect Back-Channel Logout: Scalekit posts a signed `logout_token` when a session ends
 * elsewhere (another app, an admin, the session timing out). The session (or, with only `sub`,
 * every earlier session of the user) goes on the revocation list, which the middleware checks
 * with `SESSION_REVOCATION=strict`; refresh then fails at Scalekit too. Answers 200, 400
 * `invalid_request`, or 503 (`jwks_unavailable`, `store_unavailable`) for Scalekit to retry.
 */
export const POST = authRoute(async (request: NextRequest) => {
  const invalid = (why: string) => failRoute(request, new AuthError('invalid_request', why));
  const length = Number(request.headers.get('content-length') ?? 0);
  const type = request.headers.get('content-type') ?? '';
  if (length > MAX_BODY_BYTES) return invalid('body over 16 KB');
  if (!type.startsWith('application/x-www-form-urlencoded')) return invalid('not a form post');
  const body = await request.text();
  if (body.length > MAX_BODY_BYTES) return invalid('body over 16 KB');
  const token = new URLSearchParams(body).get('logout_token');
  if (!token) return invalid('no logout_token');

  let claims;
  try {
    claims = await verifyLogoutToken(token);
  } catch (err) {
    if (isAuthError(err, 'jwks_unavailable')) return failRoute(request, err);
    return invalid(isAuthError(err) ? err.message : 'logout token failed verification');
  }
  const until = Math.floor(Date.now() / 1000) + MAX_ACCESS_TOKEN_LIFETIME_SECONDS;
  try {
    if (claims.sid) await revokeSession(getStore(), claims.sid, until);
    else if (claims.sub) await revokeSubject(getStore(), claims.sub, until);
  } catch (err) {
    if (isAuthError(err, 'store_unavailable')) return failRoute(request, err);
    throw err;
  }
  return noStore(new NextResponse(null, { status: 200 }));
});
