import { NextResponse, type NextRequest } from 'next/server';
import { isAuthError } from '@/lib/edge/errors';
import { verifyLogoutToken } from '@/lib/server/logout-token';
import { revokeSession, revokeSubject } from '@/lib/server/revocation';
import { getStore } from '@/lib/server/store/get-store';
import { noStore } from '@/lib/server/auth-redirects';

/** No Scalekit access token outlives this; revocations are kept that long after a logout token. */
const MAX_ACCESS_TOKEN_LIFETIME_SECONDS = 24 * 3600;
const MAX_BODY_BYTES = 16 * 1024;

/**
 * OpenID Connect Back-Channel Logout: Scalekit posts a signed `logout_token` when a session ends
 * elsewhere (another app, an admin, the session timing out). The session (or, with only `sub`,
 * every earlier session of the user) goes on the revocation list, which the middleware checks
 * with `SESSION_REVOCATION=strict`; refresh then fails at Scalekit too.
 */
export async function POST(request: NextRequest) {
  const length = Number(request.headers.get('content-length') ?? 0);
  const type = request.headers.get('content-type') ?? '';
  if (length > MAX_BODY_BYTES || !type.startsWith('application/x-www-form-urlencoded')) {
    return answer(400, 'invalid_request');
  }
  const body = await request.text();
  if (body.length > MAX_BODY_BYTES) return answer(400, 'invalid_request');
  const token = new URLSearchParams(body).get('logout_token');
  if (!token) return answer(400, 'invalid_request');

  let claims;
  try {
    claims = await verifyLogoutToken(token);
  } catch (err) {
    return isAuthError(err, 'jwks_unavailable')
      ? answer(503, 'temporarily_unavailable')
      : answer(400, 'invalid_request');
  }
  const until = Math.floor(Date.now() / 1000) + MAX_ACCESS_TOKEN_LIFETIME_SECONDS;
  try {
    if (claims.sid) await revokeSession(getStore(), claims.sid, until);
    else if (claims.sub) await revokeSubject(getStore(), claims.sub, until);
  } catch {
    return answer(503, 'temporarily_unavailable');
  }
  return noStore(new NextResponse(null, { status: 200 }));
}

function answer(status: 400 | 503, error: string) {
  return noStore(NextResponse.json({ error }, { status }));
}
