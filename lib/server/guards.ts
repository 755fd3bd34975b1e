import 'server-only';
import { forbidden, redirect } from 'next/navigation';
import type { NextRequest } from 'next/server';
import { hasPermission, hasRole } from '@/lib/edge/access-token';
import { bearerErrorJson, judgeBearer, presentsBearer } from '@/lib/edge/bearer';
import { AuthError, type AuthErrorCode } from '@/lib/edge/errors';
import type { MachineClaims } from '@/lib/edge/machine-token';
import { requestKind } from '@/lib/edge/request-kind';
import { logAuthFailure } from '@/lib/edge/log';
import { noStore } from '@/lib/edge/responses';
import { sanitizeReturnTo } from '@/lib/edge/return-to';
import { authRoute, failRoute, type RouteHandler } from './route-handler';
import { currentSession, readSession, type Session } from './session';

/**
 * What a page, action or route needs beyond a session; every field given must hold. Roles and
 * permissions are those of the person's current organization (the access token's `oid`).
 */
export interface Requirements {
  readonly role?: string;
  readonly permission?: string;
  /** At least one of these roles. */
  readonly anyRole?: readonly string[];
  /** At least one of these permissions. */
  readonly anyPermission?: readonly string[];
  /** A sign-in no longer ago than this many seconds (step-up: `/login?prompt=login`). */
  readonly signedInWithin?: number;
}

/**
 * The first requirement the session fails, as the code to answer with: `forbidden` for a role or
 * permission (signing in again would not help), `step_up_required` for a stale sign-in; null
 * when every requirement holds.
 *
 * @example
 * unmet(session, { anyRole: ['admin', 'owner'] }); // null | 'forbidden'
 */
export function unmet(
  session: Session,
  requirements: Requirements,
): 'forbidden' | 'step_up_required' | null {
  const { claims } = session;
  const { role, permission, anyRole, anyPermission, signedInWithin } = requirements;
  if (role !== undefined && !hasRole(claims, role)) return 'forbidden';
  if (permission !== undefined && !hasPermission(claims, permission)) return 'forbidden';
  if (anyRole && !anyRole.some((r) => hasRole(claims, r))) return 'forbidden';
  if (anyPermission && !anyPermission.some((p) => hasPermission(claims, p))) return 'forbidden';
  if (signedInWithin !== undefined && !isRecent(session, signedInWithin)) return 'step_up_required';
  return null;
}

/** True when the person signed in within `seconds`; false when the sign-in time is unknown. */
function isRecent(session: Session, seconds: number): boolean {
  return session.signedInAt !== undefined && Date.now() - session.signedInAt <= seconds * 1000;
}

export interface GuardOptions {
  /**
   * Where sign-in (or renewal) comes back to. A Server Component cannot know its own URL, so pass
   * the page's path; the middleware, which can, normally answers before a page runs.
   */
  returnTo?: string;
}

/** `/login` forcing a fresh authentication, coming back to `returnTo`. */
export function stepUpUrl(returnTo?: string): string {
  return `/login?prompt=login&returnTo=${encodeURIComponent(sanitizeReturnTo(returnTo))}`;
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
 * {@link requireSession}, then the requirements: a signed-in person without a role or permission
 * gets a real 403 (`forbidden()`: the page's `forbidden.tsx`), never a redirect to sign-in, which
 * would loop; a stale sign-in goes to {@link stepUpUrl} and back.
 */
async function requireMeeting(requirements: Requirements, options: GuardOptions) {
  const session = await requireSession(options);
  const code = unmet(session, requirements);
  if (code === null) return session;
  const returnTo = sanitizeReturnTo(options.returnTo);
  logAuthFailure({ code, route: returnTo, kind: 'document' });
  if (code === 'step_up_required') redirect(stepUpUrl(returnTo));
  forbidden();
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
 * Step-up for a Server Component: the session of a person who signed in at most `maxAgeSeconds`
 * ago; otherwise the page goes to `/login?prompt=login` (Scalekit asks for the credentials again,
 * even with its own session alive) and comes back to `returnTo`. The sign-in time is recorded
 * sealed at the callback and never moved by a refresh or an organization switch; a sign-in the
 * callback cannot prove fresh (one this app did not force, without `auth_time`) never passes.
 *
 * @example
 * const session = await requireRecentSignIn(5 * 60, { returnTo: '/dashboard/security' });
 */
export function requireRecentSignIn(maxAgeSeconds: number, options: GuardOptions = {}) {
  return requireMeeting({ signedInWithin: maxAgeSeconds }, options);
}

/** What a Server Action hands back to its client when the sign-in is too old. */
export interface StepUpRequired {
  readonly ok: false;
  readonly error: 'step_up_required';
  /** Send the person here (a full page load), then let them retry. */
  readonly signInUrl: string;
}

/**
 * Step-up for a Server Action: the session when the sign-in is recent enough, else a coded answer
 * for the client to act on (an action cannot redirect without losing what the person did). Without
 * a session at all it redirects to sign-in, like {@link requireSession}.
 *
 * @example
 * const check = await checkRecentSignIn(300, { returnTo: '/dashboard/security' });
 * if (!check.ok) return check; // the client shows "Confirm it's you" → check.signInUrl
 */
export async function checkRecentSignIn(
  maxAgeSeconds: number,
  options: GuardOptions = {},
): Promise<{ readonly ok: true; readonly session: Session } | StepUpRequired> {
  const session = await requireSession(options);
  if (unmet(session, { signedInWithin: maxAgeSeconds }) === null) return { ok: true, session };
  const returnTo = sanitizeReturnTo(options.returnTo);
  logAuthFailure({ code: 'step_up_required', route: returnTo, kind: 'action' });
  return { ok: false, error: 'step_up_required', signInUrl: stepUpUrl(returnTo) };
}

/**
 * Wraps a Route Handler that needs a session (and optionally {@link Requirements}). The handler
 * runs only with a verified session that meets them, and its answer is never cached; otherwise the answer is JSON with a code:
 * 401 `unauthenticated`, 401 `token_expired` (which `fetchWithSession()` renews and retries), 403
 * `forbidden`, 401 `step_up_required` (with `WWW-Authenticate: Bearer
 * error="insufficient_user_authentication"`, RFC 9470), 503 `jwks_unavailable`.
 *
 * @example
 * export const GET = withSession(async (request, session) => Response.json(session.user), {
 *   permission: 'organization:read',
 * });
 */
export function withSession<Context = undefined>(
  handler: (
    request: NextRequest,
    session: Session,
    context: Context,
  ) => Response | Promise<Response>,
  requirements: Requirements = {},
): RouteHandler<Context> {
  return authRoute(async (request: NextRequest, context: Context) => {
    // A session route takes no bearer token: one credential per request, and that one a cookie.
    if (presentsBearer(request.headers)) return refuseBearer(request, 'invalid_request');
    const person = await personOf(request, requirements);
    return person instanceof Response ? person : personal(await handler(request, person, context));
  });
}

/** The session of the request's cookie that meets `requirements`, or the coded answer. */
async function personOf(request: NextRequest, requirements: Requirements) {
  const read = await readSession(request.cookies);
  if (!read.ok) return failRoute(request, new AuthError(read.reason));
  const code: AuthErrorCode | null = unmet(read.session, requirements);
  if (code !== null) return failRoute(request, new AuthError(code, 'requirement not met'));
  return read.session;
}

/** Who called a {@link withAuth} route: a signed-in person, or a machine with a bearer token. */
export type Caller =
  | { readonly kind: 'person'; readonly session: Session }
  | { readonly kind: 'machine'; readonly claims: MachineClaims };

export interface AuthRequirements extends Requirements {
  /**
   * Scopes a machine caller's token must all carry (403 `insufficient_scope` otherwise). People
   * are judged by the other requirements (role, permission, …), which no machine can meet.
   */
  readonly scopes?: readonly string[];
}

/**
 * {@link withSession} for a Route Handler that also serves machine callers: `Authorization:
 * Bearer <token>` from a Scalekit M2M client (client credentials), verified by the same JWT core
 * (RS256, `iss`, `aud` = `SCALEKIT_API_AUDIENCE`, expiry) with no network call, or a session
 * cookie; never both (400 `invalid_request`). A bearer answer carries RFC 6750's
 * `WWW-Authenticate`: 401 `error="invalid_token"` (`token_invalid`, `token_expired`), 403
 * `error="insufficient_scope"` with the scopes needed.
 *
 * @example
 * export const GET = withAuth(async (request, caller) =>
 *   Response.json({ organization: caller.kind === 'machine' ? caller.claims.oid : caller.session.claims.oid }),
 *   { scopes: ['reports:read'], permission: 'reports:read' },
 * );
 */
export function withAuth<Context = undefined>(
  handler: (request: NextRequest, caller: Caller, context: Context) => Response | Promise<Response>,
  requirements: AuthRequirements = {},
): RouteHandler<Context> {
  const { scopes = [], ...forPeople } = requirements;
  return authRoute(async (request: NextRequest, context: Context) => {
    if (!presentsBearer(request.headers)) {
      const person = await personOf(request, forPeople);
      if (person instanceof Response) return person;
      return personal(await handler(request, { kind: 'person', session: person }, context));
    }
    const outcome = await judgeBearer(request, requestKind(request));
    if (!outcome.ok) {
      const { error } = outcome;
      // Not the caller's doing: authRoute answers them (503, 500) as for a session.
      if (error.code === 'jwks_unavailable' || error.code === 'config_invalid') throw error;
      return refuseBearer(request, error.code, error.message);
    }
    const { claims } = outcome;
    if (!scopes.every((scope) => claims.scopes.includes(scope))) {
      return refuseBearer(request, 'insufficient_scope', 'a scope is missing', scopes);
    }
    if (Object.values(forPeople).some((value) => value !== undefined)) {
      return failRoute(request, new AuthError('forbidden', 'a requirement only people can meet'));
    }
    return handler(request, { kind: 'machine', claims }, context);
  });
}

function refuseBearer(
  request: NextRequest,
  code: AuthErrorCode,
  detail: string = 'a bearer token on a session route',
  scopes: readonly string[] = [],
): Response {
  logAuthFailure({ code, route: request.nextUrl.pathname, kind: 'api', detail });
  return bearerErrorJson(code, scopes);
}

/**
 * The handler read a session, so whatever it answers is that person's: `private, no-store` with
 * `Vary: Cookie`, even a 200 outside the middleware's matcher. A `Response.redirect()` has
 * immutable headers, so it is copied first.
 */
function personal(response: Response): Response {
  try {
    return noStore(response);
  } catch {
    return noStore(new Response(response.body, response));
  }
}
