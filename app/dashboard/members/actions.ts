'use server';

import { revalidatePath } from 'next/cache';
import { requirePermission } from '@/lib/server/guards';
import { serverConfig } from '@/lib/server/env';
import { MANAGEMENT_MESSAGES, type ManagementResult } from '@/lib/server/management/call';
import {
  changeMemberRole,
  inviteMember,
  isMemberRole,
  removeMember,
  resendInvitation,
} from '@/lib/server/management/members';
import { getStore } from '@/lib/server/store/get-store';

/** A coded outcome the page shows: what was done, or why not (never Scalekit's own text). */
export type MembersState =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly message: string }
  | null;

const RETURN_TO = { returnTo: '/dashboard/members' };

function outcome(result: ManagementResult<unknown>, done: string): MembersState {
  if (!result.ok) return { ok: false, message: MANAGEMENT_MESSAGES[result.code] };
  revalidatePath('/dashboard/members');
  return { ok: true, message: done };
}

/** Invites an email address with a role. Needs `members:invite`. */
export async function inviteAction(_previous: MembersState, form: FormData): Promise<MembersState> {
  const { claims } = await requirePermission('members:invite', RETURN_TO);
  const email = String(form.get('email') ?? '').trim();
  const role = String(form.get('role') ?? '');
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) {
    return { ok: false, message: 'Enter an email address.' };
  }
  if (!isMemberRole(role) || !claims.oid) return { ok: false, message: 'Choose a role.' };
  return outcome(await inviteMember(claims.oid, email, role), `Invited ${email}.`);
}

/**
 * One change to one member: `resend` (needs `members:invite`), `role` and `remove` (need
 * `organization:write`). Nobody changes their own membership here.
 */
export async function memberAction(_previous: MembersState, form: FormData): Promise<MembersState> {
  const intent = String(form.get('intent') ?? '');
  const userId = String(form.get('userId') ?? '');
  const permission = intent === 'resend' ? 'members:invite' : 'organization:write';
  const { claims } = await requirePermission(permission, RETURN_TO);
  if (!claims.oid || !/^usr_\w+$/.test(userId)) return { ok: false, message: 'Choose a member.' };
  if (userId === claims.sub && intent !== 'resend') {
    return { ok: false, message: 'You cannot change your own membership here.' };
  }
  switch (intent) {
    case 'resend':
      return outcome(await resendInvitation(claims.oid, userId), 'Invitation sent again.');
    case 'role': {
      const role = String(form.get('role') ?? '');
      if (!isMemberRole(role)) return { ok: false, message: 'Choose a role.' };
      return outcome(await changeMemberRole(claims.oid, userId, role), `Role changed to ${role}.`);
    }
    case 'remove': {
      const revocation = { store: getStore(), config: serverConfig() };
      return outcome(await removeMember(claims.oid, userId, revocation), 'Member removed.');
    }
  }
  return { ok: false, message: 'Unknown action.' };
}
