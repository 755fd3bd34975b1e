import type { NextRequest } from 'next/server';
import { protect } from '@/lib/edge/protect';

/** Every path that needs a session, in one place (whole segments: `/dashboard` covers `/dashboard/x`). */
const PROTECTED_PATHS = ['/dashboard', '/api/protected'];

// Runs on the Edge runtime: Next 16's `proxy.ts` is Node-only, so `middleware.ts` is the way to
// verify sessions at the Edge. It sees every request but static assets and the liveness probe, so
// that spoofed `x-auth-*` headers are stripped everywhere; only the paths above are verified.
export function middleware(request: NextRequest) {
  return protect(request, { protectedPaths: PROTECTED_PATHS });
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico|robots.txt|api/health$).*)'],
};
