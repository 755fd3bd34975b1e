import { protect } from '@/lib/edge/protect';

/**
 * Runs on the Edge runtime. Next 16 prefers `proxy.ts`, which is Node-only: to run this same
 * protection on Node instead, rename this file to `proxy.ts` (README, "Edge or Node").
 */
export default protect;

export const config = {
  // Everything that needs a session, in one place: every request these match must carry a valid
  // session (pages, API routes, Server Actions); nothing else runs the middleware at all. Pages
  // and routes still check the session themselves (`requireSession()`, `withSession()`).
  matcher: ['/dashboard/:path*', '/api/protected/:path*'],
};
