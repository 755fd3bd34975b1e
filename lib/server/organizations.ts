import 'server-only';
import { redirect } from 'next/navigation';
import { AuthError } from '@/lib/edge/errors';
import { sanitizeReturnTo } from '@/lib/edge/return-to';
import { isValidAuthorizeValue } from './authorize-options';

/**
 * The `/login` URL of a sign-in into another organization: straight into `organizationId`
 * (`organization_id` with `prompt=select_account`), or Scalekit's organization switcher when none
 * is given; back to `returnTo` afterwards. The callback replaces every part of the session: the
 * access token (`oid`, roles, permissions), the profile, the refresh token.
 *
 * @example
 * organizationSwitchUrl('org_globex', '/dashboard');
 * // "/login?prompt=select_account&organization_id=org_globex&returnTo=%2Fdashboard"
 */
export function organizationSwitchUrl(organizationId?: string, returnTo?: string): string {
  const params = new URLSearchParams({ prompt: 'select_account' });
  if (organizationId !== undefined) {
    if (!isValidAuthorizeValue('organization_id', organizationId)) {
      throw new AuthError('invalid_request', 'not an organization id');
    }
    params.set('organization_id', organizationId);
  }
  params.set('returnTo', sanitizeReturnTo(returnTo));
  return `/login?${params}`;
}

/**
 * Starts a switch to another organization from a Server Action or a Route Handler (Next's
 * `redirect()`: an action navigates, a route answers 307). Throws `invalid_request` for a
 * malformed id. See {@link organizationSwitchUrl}.
 *
 * @example
 * 'use server';
 * export async function switchTo(form: FormData) {
 *   switchOrganization(String(form.get('organization')), { returnTo: '/dashboard' });
 * }
 */
export function switchOrganization(
  organizationId?: string,
  options: { returnTo?: string } = {},
): never {
  redirect(organizationSwitchUrl(organizationId, options.returnTo));
}
