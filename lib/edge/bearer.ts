import { NextResponse, type NextRequest } from 'next/server';
import { edgeConfig } from './config';
import { AuthError, isAuthError, type AuthErrorCode } from './errors';
import { logAuthFailure } from './log';
import { verifyMachineToken, type MachineClaims } from './machine-token';
import type { RequestKind } from './request-kind';
import { errorJson, noStore } from './responses';
import { cookieName, readCookieValue } from './session-cookies';

/** The RFC 6750 `error` of each code a bearer request can be refused with. */
const RFC6750_ERRORS: Partial<Record<AuthErrorCode, string>> = {
  invalid_request: 'invalid_request',
  token_invalid: 'invalid_token',
  token_expired: 'invalid_token',
  insufficient_scope: 'insufficient_scope',
};

/**
 * `{"error":"<code>"}` with the code's status and an RFC 6750 `WWW-Authenticate`: `Bearer
 * error="invalid_token"` (401), `error="insufficient_scope", scope="…"` (403),
 * `error="invalid_request"` (400).
 *
 * @example
 * return bearerErrorJson('insufficient_scope', ['reports:read']);
 */
export function bearerErrorJson(code: AuthErrorCode, scopes: readonly string[] = []): NextResponse {
  const response = errorJson(code);
  const error = RFC6750_ERRORS[code];
  if (error) {
    const scope = scopes.length > 0 ? `, scope="${scopes.join(' ')}"` : '';
    response.headers.set('WWW-Authenticate', `Bearer error="${error}"${scope}`);
  }
  return response;
}

/**
 * True when the request presents a bearer credential (`Authorization: Bearer …`, well-formed or
 * not). Other schemes are not this app's credentials and are left alone: a site behind HTTP Basic
 * authentication (a password-protected preview) sends `Authorization: Basic` on every request.
 */
export function presentsBearer(headers: Headers): boolean {
  return /^\s*bearer(\s|$)/i.test(headers.get('authorization') ?? '');
}

/** The token of an `Authorization: Bearer <token>` header; null for any other shape. */
export function bearerToken(header: string): string | null {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim());
  return match?.[1] ?? null;
}

/** True when the request carries this app's session cookie. */
export function hasSessionCookie(request: Pick<NextRequest, 'cookies'>): boolean {
  return readCookieValue(request.cookies, cookieName('access', edgeConfig())) !== null;
}

/** A machine caller, judged by its bearer token alone; or the coded reason it is refused. */
export type BearerOutcome =
  | { readonly ok: true; readonly claims: MachineClaims }
  | { readonly ok: false; readonly error: AuthError };

/**
 * Judges a request that carries `Authorization`: only an API request (never a document, a
 * `<Link>` navigation or a Server Action), with no session cookie beside it (one credential per
 * request), and a token {@link verifyMachineToken} accepts. `jwks_unavailable` and
 * `config_invalid` are handed on as they are.
 */
export async function judgeBearer(
  request: Pick<NextRequest, 'headers' | 'cookies'>,
  kind: RequestKind,
): Promise<BearerOutcome> {
  const refuse = (code: AuthErrorCode, why: string) => ({
    ok: false as const,
    error: new AuthError(code, why),
  });
  if (kind !== 'api') return refuse('invalid_request', `a bearer token on a ${kind} request`);
  if (hasSessionCookie(request)) return refuse('invalid_request', 'a bearer token and a cookie');
  const token = bearerToken(request.headers.get('authorization') ?? '');
  if (token === null) return refuse('invalid_request', 'a malformed Authorization header');
  try {
    return { ok: true, claims: await verifyMachineToken(token) };
  } catch (err) {
    if (isAuthError(err, 'token_expired', 'jwks_unavailable', 'config_invalid')) {
      return { ok: false, error: err };
    }
    if (isAuthError(err)) return refuse('token_invalid', err.message);
    return refuse('jwks_unavailable', 'unexpected verification error');
  }
}

/**
 * The middleware's answer to a request with a bearer credential, or null when there is none
 * (the session cookie decides). A machine caller passes to its route, whose `withAuth`
 * checks its scopes; anything else is refused with a coded, RFC 6750 answer.
 *
 * @example
 * const answer = await protectBearer(request, requestKind(request));
 * if (answer) return answer;
 */
export async function protectBearer(
  request: NextRequest,
  kind: RequestKind,
): Promise<NextResponse | null> {
  if (!presentsBearer(request.headers)) return null;
  const outcome = await judgeBearer(request, kind);
  if (outcome.ok) return noStore(NextResponse.next());
  const { code, message } = outcome.error;
  logAuthFailure({ code, route: request.nextUrl.pathname, kind, detail: message });
  return bearerErrorJson(code);
}
