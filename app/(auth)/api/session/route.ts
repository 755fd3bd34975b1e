import { NextResponse, type NextRequest } from 'next/server';
import { noStore } from '@/lib/edge/responses';
import { authRoute } from '@/lib/server/route-handler';
import { readSessionState } from '@/lib/server/session';

/**
 * `GET /api/session`: who is signed in, for `SessionProvider` on a page served static (the root
 * layout reads no cookie, so public pages are prerendered). The session's snapshot
 * (`{"status":"signed-in","session":{user,organizationId,roles,permissions,expiresAt}}`,
 * `renewing`, or `{"status":"signed-out","session":null}`), never a token; `private, no-store`
 * and `Vary: Cookie`, so no cache keeps one person's answer for another. Outside the matcher: a
 * signed-out visitor gets a 200 that says so.
 */
export const GET = authRoute(async (request: NextRequest) =>
  noStore(NextResponse.json(await readSessionState(request.cookies))),
);
