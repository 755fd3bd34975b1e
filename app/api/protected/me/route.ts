import { NextResponse } from 'next/server';
import { noStore } from '@/lib/edge/responses';
import { withSession } from '@/lib/server/guards';

/**
 * An example API route: `withSession` runs it only with a verified session (the middleware checked
 * already; the route checks again, as every data access should).
 */
export const GET = withSession(async (_request, session) => {
  const { sub, sid, oid, roles, permissions, scopes, exp } = session.claims;
  return noStore(
    NextResponse.json({
      sub,
      sid,
      oid,
      roles,
      permissions,
      scopes,
      exp,
      email: session.user.email,
    }),
  );
});
