import { NextResponse } from 'next/server';

/**
 * Liveness probe, outside the middleware (it matches only protected paths): no cookies, no
 * verification. Its twin under `/api/protected/health` answers the same only with a valid
 * session: the cheapest protected request, which the benchmark's load and soak sections use.
 */
export function GET() {
  return NextResponse.json({ ok: true }, { headers: { 'Cache-Control': 'no-store' } });
}
