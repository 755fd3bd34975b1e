'use server';

import { isValidAuthorizeValue } from '@/lib/server/authorize-options';
import { requirePermission, requireSession } from '@/lib/server/guards';
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
 * Switches organization: to the one whose id was entered, or, with none, through Scalekit's
 * organization switcher; back to the dashboard afterwards, with every part of the session new.
 */
export async function switchOrganizationAction(
  _previous: SwitchState,
  form: FormData,
): Promise<SwitchState> {
  await requireSession({ returnTo: '/dashboard' });
  const id = String(form.get('organization') ?? '').trim();
  if (id && !isValidAuthorizeValue('organization_id', id)) {
    return { error: 'Enter an organization id such as org_123, or leave it empty.' };
  }
  switchOrganization(id || undefined, { returnTo: '/dashboard' });
}
