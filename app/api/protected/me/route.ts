import { NextResponse } from 'next/server';
import { noStore } from '@/lib/server/auth-redirects';
import { getSession } from '@/lib/server/session';

/** An example API route: the middleware has verified the token; the route re-verifies anyway. */
export async function GET() {
  const session = await getSession();
  if (!session) return noStore(NextResponse.json({ error: 'unauthenticated' }, { status: 401 }));
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
}
