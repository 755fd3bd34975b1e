import 'server-only';
import type { NextRequest, NextResponse } from 'next/server';
import { edgeConfig } from '@/lib/edge/config';
import { AuthError, isAuthError, type AuthErrorCode } from '@/lib/edge/errors';
import { logAuthFailure } from '@/lib/edge/log';
import { requestKind } from '@/lib/edge/request-kind';
import { errorJson, errorPage, signInErrorRedirect } from '@/lib/edge/responses';
import { rateLimit, type RateLimitedRoute } from './rate-limit';

/**
 * Answers an auth failure in a Route Handler: one log line, then a page for a document (with a
 * retry link for a 503), `{"error":"<code>"}` with the code's status for anything else.
 *
 * @example
 * if (!isSameOrigin(request)) return failRoute(request, new AuthError('cross_site_request'));
 */
export function failRoute(request: NextRequest, error: AuthError): NextResponse {
  const kind = requestKind(request);
  const route = request.nextUrl.pathname;
  logAuthFailure({ code: error.code, route, kind, detail: error.message });
  if (kind !== 'document') return errorJson(error.code);
  // The message names the variable to fix, never its value.
  if (error.code === 'config_invalid') return errorPage(error.code, { detail: error.message });
  return errorPage(error.code, error.code.endsWith('_unavailable') ? { retry: route } : {});
}

/**
 * A Route Handler as Next calls it: `(request, { params })` for a dynamic route (give `Context`,
 * e.g. `{ params: Promise<{ id: string }> }`), just `(request)` for a static one, so it satisfies
 * Next's route type check and a test can call it with the request alone.
 */
export type RouteHandler<Context> = (
  request: NextRequest,
  ...context: RouteContext<Context>
) => Promise<Response>;

type RouteContext<Context> = [Context] extends [undefined] ? [] : [context: Context];

type Handler<Context> = (request: NextRequest, context: Context) => Response | Promise<Response>;

export interface AuthRouteOptions {
  /** Counts requests per client against this route's limit (lib/server/rate-limit.ts). */
  rateLimit?: RateLimitedRoute;
}

/**
 * Wraps a Route Handler so that an {@link AuthError} it throws (a configuration error, a JWKS
 * outage) becomes a coded, logged answer instead of Next's bare 500. Anything else is rethrown.
 * With `rateLimit`, a client over that route's limit gets 429 `rate_limited` with `Retry-After`
 * (a plain page for a document) before the handler runs.
 *
 * @example
 * export const GET = authRoute(async (request) => { … });
 * export const GET = authRoute({ rateLimit: 'login' }, async (request) => { … });
 */
export function authRoute<Context = undefined>(handler: Handler<Context>): RouteHandler<Context>;
export function authRoute<Context = undefined>(
  options: AuthRouteOptions,
  handler: Handler<Context>,
): RouteHandler<Context>;
export function authRoute<Context>(
  ...args: [Handler<Context>] | [AuthRouteOptions, Handler<Context>]
): RouteHandler<Context> {
  const [options, handler] = args.length === 1 ? [{}, args[0]] : args;
  return async (request: NextRequest, ...[context]: RouteContext<Context>) => {
    try {
      const retryAfter = options.rateLimit ? await rateLimit(request, options.rateLimit) : null;
      if (retryAfter !== null) {
        const error = new AuthError('rate_limited', `over the ${options.rateLimit} limit`);
        const response = failRoute(request, error);
        response.headers.set('Retry-After', String(retryAfter));
        return response;
      }
      return await handler(request, context as Context);
    } catch (err) {
      if (isAuthError(err)) return failRoute(request, err);
      throw err;
    }
  };
}

/**
 * Ends a sign-in step that failed (`/login`, `/api/callback`): one log line, then a 303 to the
 * sign-in error page, which explains the code and offers to sign in again.
 *
 * @example
 * if (!transaction) return failSignIn(request, 'transaction_missing');
 */
export function failSignIn(
  request: NextRequest,
  code: AuthErrorCode,
  detail?: string,
): NextResponse {
  logAuthFailure({ code, route: request.nextUrl.pathname, kind: requestKind(request), detail });
  return signInErrorRedirect(code, edgeConfig().appUrl);
}
