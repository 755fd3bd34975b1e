import { NextResponse } from 'next/server';
import { AUTH_ERRORS, type AuthErrorCode } from './errors';

/** How long a client should wait before retrying a 503. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Marks an answer as personal: never stored by a shared cache, and varying with the cookie. Every
 * response the auth layer builds goes through here.
 *
 * @example
 * return noStore(NextResponse.redirect(url, 303));
 */
export function noStore<T extends Response>(response: T): T {
  response.headers.set('Cache-Control', 'private, no-store');
  if (!/(^|,)\s*cookie\s*(,|$)/i.test(response.headers.get('Vary') ?? '')) {
    response.headers.append('Vary', 'Cookie');
  }
  return response;
}

/** The `WWW-Authenticate` error of a 401, per code (RFC 6750; RFC 9470 for step-up). */
const BEARER_ERRORS: Partial<Record<AuthErrorCode, string>> = {
  token_expired: 'invalid_token',
  step_up_required: 'insufficient_user_authentication',
};

/**
 * `{"error":"<code>"}` with the code's status: 401s carry `WWW-Authenticate` (with
 * `error="invalid_token"` when the token expired, which `fetchWithSession` acts on, and
 * `error="insufficient_user_authentication"` when a recent sign-in is needed), 503s a
 * `Retry-After`.
 *
 * @example
 * return errorJson('forbidden'); // 403 {"error":"forbidden"}
 */
export function errorJson(code: AuthErrorCode): NextResponse {
  const { status } = AUTH_ERRORS[code];
  const response = NextResponse.json({ error: code }, { status });
  if (status === 401) {
    const error = BEARER_ERRORS[code];
    response.headers.set('WWW-Authenticate', error ? `Bearer error="${error}"` : 'Bearer');
  }
  if (status === 503) response.headers.set('Retry-After', String(RETRY_AFTER_SECONDS));
  return noStore(response);
}

/**
 * The answer to a Server Action that must not run: Next hard-navigates to `location` on an
 * `x-action-redirect` header (a 303 would turn the action into a GET and show an error).
 */
export function actionRedirect(location: string): NextResponse {
  const response = new NextResponse(null, { status: 200 });
  response.headers.set('x-action-redirect', `${location};replace`);
  return noStore(response);
}

/** A 303 to the sign-in error page, which explains `code` and offers to sign in again. */
export function signInErrorRedirect(code: AuthErrorCode, appUrl: string): NextResponse {
  return noStore(NextResponse.redirect(new URL(`/auth/error?code=${code}`, appUrl), 303));
}

export interface ErrorPageOptions {
  /** Where "Try again" goes (a same-origin path); with a 503 the page also retries by itself. */
  retry?: string;
  /** A line for the person setting the app up (configuration errors only; never request data). */
  detail?: string;
}

/**
 * A small HTML page for a document request that cannot be answered with the app's own pages (the
 * middleware has no React, and a route handler's error must not depend on the page that failed):
 * the code's status and sentence, and the code itself.
 *
 * @example
 * return errorPage('jwks_unavailable', { retry: '/dashboard' });
 */
export function errorPage(code: AuthErrorCode, options: ErrorPageOptions = {}): NextResponse {
  const { status, message } = AUTH_ERRORS[code];
  const retry = options.retry === undefined ? undefined : escapeHtml(options.retry);
  const autoRetry = retry !== undefined && status === 503;
  const body =
    '<!doctype html><html lang="en"><meta charset="utf-8">' +
    `<title>${escapeHtml(message)}</title>` +
    (autoRetry ? `<meta http-equiv="refresh" content="${RETRY_AFTER_SECONDS};url=${retry}">` : '') +
    '<main style="font-family:system-ui;max-width:32rem;margin:4rem auto">' +
    `<h1>${escapeHtml(message)}</h1>` +
    (autoRetry ? '<p>This page tries again in a few seconds.</p>' : '') +
    (options.detail === undefined ? '' : `<p><code>${escapeHtml(options.detail)}</code></p>`) +
    `<p><small>Error code: ${code}</small></p>` +
    (retry === undefined ? '' : `<p><a href="${retry}">Try again</a></p>`) +
    '</main></html>';
  const response = new NextResponse(body, {
    status,
    headers: { 'Content-Type': 'text/html; charset=utf-8' },
  });
  if (status === 503) response.headers.set('Retry-After', String(RETRY_AFTER_SECONDS));
  return noStore(response);
}

/**
 * `text` safe to put in HTML, text or a quoted attribute alike.
 *
 * @example
 * `<input value="${escapeHtml(value)}">`;
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
