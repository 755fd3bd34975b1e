import type { NextRequest } from 'next/server';
import { protect } from './protect';
import { noStore } from './responses';

/** An app's own middleware (i18n, rewrites, headers, …), as Next calls one. */
export type AppMiddleware = (request: NextRequest) => Response | Promise<Response>;

/**
 * Compiles the patterns that need a session, in the matcher's syntax (`/dashboard/:path*`,
 * `/:locale(en|de)/dashboard/:path*`): literal segments, `:name` (one segment), `:name*` (any
 * number), `:name+` (at least one), and `:name(a|b)` (one of these words). Anything else throws
 * at startup, so a pattern can never silently protect less than it says.
 *
 * @example
 * const needsSession = sessionPaths(['/:locale(en|de)/dashboard/:path*', '/api/protected/:path*']);
 * needsSession('/de/dashboard'); // true
 */
export function sessionPaths(patterns: readonly string[]): (pathname: string) => boolean {
  const compiled = patterns.map(compile);
  return (pathname) => compiled.some((pattern) => pattern.test(pathname));
}

/**
 * This project's protection inside an app's own middleware chain: a request whose path needs a
 * session (`needsSession`) goes through `protect()` first, and only once it passes does `next`
 * (the app's middleware) run, its answer then marked private (`no-store`, `Vary: Cookie`); every
 * other request goes to `next` alone. Sign-in and renewal come back to the exact path and query,
 * so a locale prefix survives them.
 *
 * @example
 * // middleware.ts
 * export default protectThen(sessionPaths(['/:locale(en|de)/dashboard/:path*']), intlMiddleware);
 */
export function protectThen(
  needsSession: (pathname: string) => boolean,
  next: AppMiddleware,
): (request: NextRequest) => Promise<Response> {
  return async (request) => {
    if (!needsSession(request.nextUrl.pathname)) return next(request);
    const decision = await protect(request);
    if (decision.headers.get('x-middleware-next') !== '1') return decision;
    return noStore(await next(request));
  };
}

function compile(pattern: string): RegExp {
  if (!pattern.startsWith('/')) throw new TypeError(`session path must start with "/": ${pattern}`);
  let source = '';
  for (const segment of pattern.slice(1).split('/')) {
    const param = /^:\w+(?:\(([\w-]+(?:\|[\w-]+)*)\))?([*+])?$/.exec(segment);
    if (param) {
      const [, words, repeat] = param;
      const one = words ? `(?:${words})` : '[^/]+';
      if (repeat === '*') source += `(?:/${one})*`;
      else if (repeat === '+') source += `(?:/${one})+`;
      else source += `/${one}`;
    } else if (/^[\w.~-]+$/.test(segment)) {
      source += `/${segment.replace(/\./g, '\\.')}`;
    } else {
      throw new TypeError(`unsupported session path segment "${segment}" in ${pattern}`);
    }
  }
  return new RegExp(`^${source || '/'}/?$`);
}
