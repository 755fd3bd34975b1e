import { NextResponse } from 'next/server';

/**
 * Liveness probe, outside the middleware (it matches only protected paths): no cookies, no verification. Its twin
 * under `/api/protected/health` answers the same only with a valid session, so the pair also
 * measures what the middleware costs (`npm run bench`).
 */
export function GET() {
  return NextResponse.json({ ok: true }, { headers: { 'Cache-Control': 'no-store' } });
}
