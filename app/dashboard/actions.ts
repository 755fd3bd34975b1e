'use server';

import { redirect } from 'next/navigation';
import { isValidAuthorizeValue } from '@/lib/server/authorize-options';
import { requirePermission, requireRole, requireSession } from '@/lib/server/guards';
import { MANAGEMENT_MESSAGES } from '@/lib/server/management/call';
import { adminPortalLink } from '@/lib/server/management/portal';
import { switchOrganization } from '@/lib/server/organizations';

export interface Visit {
  /** Server time of the visit, ISO 8601. */
  readonly at: string;
  /** The verified subject the action ran as. */
  readonly sub: string;
  /** Expiry (ISO 8601) of the access token the action ran with. */
  readonly tokenExpiresAt: string;
}

export interface VisitsState {
  readonly visits: readonly Visit[];
}

const KEEP = 5;

/**
 * Records a visit: the newest five, newest first. The action verifies the session itself:
 * middleware matching is no authorization for a Server Action, which is a public endpoint.
 */
export async function recordVisit(previous: VisitsState): Promise<VisitsState> {
  const { claims } = await requireSession({ returnTo: '/dashboard' });
  const visit: Visit = {
    at: new Date().toISOString(),
    sub: claims.sub,
    tokenExpiresAt: new Date(claims.exp * 1000).toISOString(),
  };
  return { visits: [visit, ...previous.visits].slice(0, KEEP) };
}

export interface InviteState {
  readonly invited: string | null;
}

/**
 * Needs the `members:invite` permission in the current organization: a person without it gets a
 * 403 (`forbidden()`), which the page shows as app/forbidden.tsx. The demo keeps no state: a real
 * app would call Scalekit's membership API here.
 */
export async function inviteMember(_previous: InviteState, form: FormData): Promise<InviteState> {
  const { claims } = await requirePermission('members:invite', { returnTo: '/dashboard' });
  const email = String(form.get('email') ?? '').trim();
  return { invited: email ? `${email} (to ${claims.oid ?? 'your organization'})` : null };
}

export interface SwitchState {
  readonly error: string | null;
}

/**
 * Switches organization: to the one chosen in the switcher, or, with none, through Scalekit's
 * organization picker; back to the dashboard afterwards, with every part of the session new.
 */
export async function switchOrganizationAction(
  _previous: SwitchState,
  form: FormData,
): Promise<SwitchState> {
  await requireSession({ returnTo: '/dashboard' });
  const id = String(form.get('organization') ?? '').trim();
  if (id && !isValidAuthorizeValue('organization_id', id)) {
    return { error: 'That is not an organization id.' };
  }
  switchOrganization(id || undefined, { returnTo: '/dashboard' });
}

export interface PortalState {
  readonly error: string | null;
}

/**
 * Opens Scalekit's admin portal for the current organization, where its IT admin sets up SSO and
 * SCIM: a link generated now (single-use, a minute's life), for organization admins only.
 */
export async function openAdminPortal(): Promise<PortalState> {
  const { claims } = await requireRole('admin', { returnTo: '/dashboard' });
  if (!claims.oid) return { error: MANAGEMENT_MESSAGES.not_found };
  const link = await adminPortalLink(claims.oid);
  if (!link.ok) return { error: MANAGEMENT_MESSAGES[link.code] };
  redirect(link.value);
}
