import { NextResponse } from 'next/server';
import { noStore } from '@/lib/edge/responses';
import { withSession } from '@/lib/server/guards';

/** An API route for admins only: anyone else signed in gets 403 `{"error":"forbidden"}`. */
export const GET = withSession(
  async (_request, session) =>
    noStore(NextResponse.json({ organization: session.claims.oid, roles: session.claims.roles })),
  { role: 'admin' },
);
