import { NextResponse } from 'next/server';
import { noStore } from '@/lib/edge/responses';
import { withAuth } from '@/lib/server/guards';

/**
 * Example API route for people and machines: a signed-in person (session cookie), or an M2M
 * client of Scalekit with `Authorization: Bearer <token>` carrying the `reports:read` scope.
 */
export const GET = withAuth(
  async (_request, caller) =>
    noStore(
      NextResponse.json(
        caller.kind === 'machine'
          ? { caller: 'machine', client: caller.claims.sub, organization: caller.claims.oid }
          : {
              caller: 'person',
              user: caller.session.claims.sub,
              organization: caller.session.claims.oid,
            },
      ),
    ),
  { scopes: ['reports:read'] },
);
