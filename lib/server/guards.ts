import 'server-only';
import { forbidden, redirect } from 'next/navigation';
import type { NextRequest } from 'next/server';
import { hasPermission, hasRole, type AccessTokenClaims } from '@/lib/edge/access-token';
import { AuthError } from '@/lib/edge/errors';
import { logAuthFailure } from '@/lib/edge/log';
import { sanitizeReturnTo } from '@/lib/edge/return-to';
import { authRoute, failRoute } from './route-handler';
import { currentSession, readSession, type Session } from './session';

/** What a page, action or route needs beyond a session: a role or permission, or any of several. */
export type Requirement =
  | { readonly role: string }
  | { readonly permission: string }
  | { readonly anyRole: readonly string[] }
  | { readonly anyPermission: readonly string[] };

/**
 * True when the verified claims meet the requirement (in the token's current organization: roles
 * and permissions are per organization).
 *
 * @example
 * meets(session.claims, { anyRole: ['admin', 'owner'] });
 */
export function meets(claims: AccessTokenClaims, requirement: Requirement): boolean {
  if ('role' in requirement) return hasRole(claims, requirement.role);
  if ('permission' in requirement) return hasPermission(claims, requirement.permission);
  if ('anyRole' in requirement) return requirement.anyRole.some((role) => hasRole(claims, role));
  return requirement.anyPermission.some((permission) => hasPermission(claims, permission));
}

export interface GuardOptions {
  /**
   * Where sign-in (or renewal) comes back to. A Server Component cannot know its own URL, so pass
   * the page's path; the middleware, which can, normally answers before a page runs.
   */
  returnTo?: string;
}

/**
 * The session, for a Server Component or Server Action. Without one, it redirects to sign-in (or,
 * when only the access token expired, through `/api/refresh`) and back to `returnTo`.
 *
 * @example
 * export default async function Page() {
 *   const { user } = await requireSession({ returnTo: '/dashboard' });
 * }
 */
export async function requireSession(options: GuardOptions = {}): Promise<Session> {
  const read = await currentSession();
  if (read.ok) return read.session;
  const returnTo = sanitizeReturnTo(options.returnTo);
  logAuthFailure({ code: read.reason, route: returnTo, kind: 'document' });
  const target = read.reason === 'token_expired' ? '/api/refresh' : '/login';
  redirect(`${target}?returnTo=${encodeURIComponent(returnTo)}`);
}

/**
 * {@link requireSession}, then the requirement: a signed-in person without it gets a real 403
 * (`forbidden()`: the page's `forbidden.tsx`), never a redirect to sign-in, which would loop.
 */
async function requireMeeting(requirement: Requirement, options: GuardOptions): Promise<Session> {
  const session = await requireSession(options);
  if (!meets(session.claims, requirement)) {
    logAuthFailure({
      code: 'forbidden',
      route: sanitizeReturnTo(options.returnTo),
      kind: 'document',
    });
    forbidden();
  }
  return session;
}

/**
 * The session of a person holding `role` in their current organization; 403 otherwise.
 *
 * @example
 * const { claims } = await requireRole('admin', { returnTo: '/dashboard/admin' });
 */
export function requireRole(role: string, options: GuardOptions = {}): Promise<Session> {
  return requireMeeting({ role }, options);
}

/** The session of a person holding at least one of `roles`; 403 otherwise. */
export function requireAnyRole(roles: readonly string[], options: GuardOptions = {}) {
  return requireMeeting({ anyRole: roles }, options);
}

/**
 * The session of a person holding `permission`; 403 otherwise.
 *
 * @example
 * await requirePermission('members:invite');
 */
export function requirePermission(permission: string, options: GuardOptions = {}) {
  return requireMeeting({ permission }, options);
}

/** The session of a person holding at least one of `permissions`; 403 otherwise. */
export function requireAnyPermission(permissions: readonly string[], options: GuardOptions = {}) {
  return requireMeeting({ anyPermission: permissions }, options);
}

/**
 * Wraps a Route Handler that needs a session (and optionally a role or permission). The handler
 * runs only with a verified session; otherwise the answer is JSON with a code: 401
 * `unauthenticated`, 401 `token_expired` (which `fetchWithSession()` renews and retries), 403
 * `forbidden`, 503 `jwks_unavailable`.
 *
 * @example
 * export const GET = withSession(async (request, session) => Response.json(session.user), {
 *   permission: 'organization:read',
 * });
 */
export function withSession<Context = void>(
  handler: (
    request: NextRequest,
    session: Session,
    context: Context,
  ) => Response | Promise<Response>,
  requirement?: Requirement,
): (request: NextRequest, context: Context) => Promise<Response> {
  return authRoute(async (request: NextRequest, context: Context) => {
    const read = await readSession(request.cookies);
    if (!read.ok) return failRoute(request, new AuthError(read.reason));
    if (requirement && !meets(read.session.claims, requirement)) {
      return failRoute(request, new AuthError('forbidden', 'requirement not met'));
    }
    return handler(request, read.session, context);
  });
}
