import { NextResponse } from 'next/server';
import { noStore } from '@/lib/edge/responses';
import { STEP_UP_SECONDS } from '@/app/dashboard/security/step-up';
import { withSession } from '@/lib/server/guards';

/**
 * An API route behind step-up: a sign-in older than five minutes gets 401
 * `{"error":"step_up_required"}` with `WWW-Authenticate: Bearer error="insufficient_user_authentication"`.
 */
export const GET = withSession(
  async (_request, session) => noStore(NextResponse.json({ signedInAt: session.signedInAt })),
  { signedInWithin: STEP_UP_SECONDS },
);
