import 'server-only';
import { NextResponse, type NextRequest } from 'next/server';
import type { EdgeConfig } from '@/lib/edge/config';
import { escapeHtml, noStore } from '@/lib/edge/responses';
import { isSameOrigin } from './same-origin';
import { presentsSessionCookies } from './session-records';

/**
 * Parameters that choose whom or where a sign-in lands (or whether Scalekit asks at all), so
 * another site could use them to sign a browser in to an account it controls: an SSO connection
 * whose IdP asserts at once, an organization, a hinted identity, `prompt=none`. An IdP-initiated
 * login token routes by its own claims, so it counts too.
 */
const ROUTING_PARAMS = [
  'connection_id',
  'organization_id',
  'domain_hint',
  'login_hint',
  'provider',
  'prompt',
  'idp_initiated_login',
] as const;

/**
 * True when `/login` must ask before going on: another site (or no site at all: a bookmark, a
 * pasted link, a tool) sent a browser that holds a session here to a sign-in that carries routing
 * or prompt parameters, which would silently replace that session with another account or
 * organization (login CSRF). Same-origin requests, plain sign-ins, a lone `prompt=login` (step-up)
 * and signed-out browsers (an invitation, an IdP-initiated arrival) go straight on.
 *
 * @example
 * if (needsConfirmation(request, searchParams, config)) return confirmationPage(searchParams);
 */
export function needsConfirmation(
  request: NextRequest,
  params: URLSearchParams,
  config: Pick<EdgeConfig, 'secureCookies'>,
): boolean {
  if (!ROUTING_PARAMS.some((name) => params.has(name) && !asksForCredentials(params, name))) {
    return false;
  }
  if (isSameOrigin(request)) return false;
  return presentsSessionCookies(request.cookies, config);
}

/**
 * The page that asks "switch account?" instead: a real HTML page (never cached, framed by no one:
 * next.config.ts's headers) whose one button POSTs every parameter, unchanged, back to `/login`;
 * a POST there must itself come from this origin.
 *
 * @example
 * return confirmationPage(new URLSearchParams('organization_id=org_1'));
 */
export function confirmationPage(params: URLSearchParams): NextResponse {
  const fields = [...params]
    .map(
      ([name, value]) =>
        `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`,
    )
    .join('');
  const body =
    '<!doctype html><html lang="en"><meta charset="utf-8">' +
    '<title>Continue signing in?</title>' +
    '<main style="font-family:system-ui;max-width:32rem;margin:4rem auto">' +
    '<h1>Continue signing in?</h1>' +
    '<p>Another site sent you here to sign in, which may switch you to another account or ' +
    'organization. You are already signed in. Continue only if you started this yourself.</p>' +
    `<form method="post" action="/login">${fields}<button type="submit">Continue</button></form>` +
    '<p><a href="/">Stay signed in as you are</a></p>' +
    '</main></html>';
  return noStore(
    new NextResponse(body, {
      status: 200,
      headers: { 'Content-Type': 'text/html; charset=utf-8' },
    }),
  );
}

/**
 * `prompt=login` makes Scalekit ask the person for their credentials, so it cannot sign anyone in
 * to another account unnoticed; it is also the app's own step-up link, which a page opened from a
 * bookmark or an email (no `same-origin` there) redirects to and which must not cost a click.
 */
function asksForCredentials(params: URLSearchParams, name: string): boolean {
  return name === 'prompt' && params.getAll('prompt').every((value) => value === 'login');
}
