import 'server-only';
import type { EdgeConfig } from '@/lib/edge/config';
import { revocationHorizon, revokeMembership } from '../revocation';
import { scalekit } from '../scalekit';
import type { Store } from '../store/store';
import { managementCall, type ManagementResult } from './call';
import { memberStatus, roleNames, type MemberStatus } from './memberships';
import { forgetOrganizationsOf } from './organizations';

/**
 * The roles an admin can give. Scalekit environments start with `admin` and `member`; list the
 * roles your environment defines (Dashboard > Roles) here.
 */
export const MEMBER_ROLES = ['member', 'admin'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export function isMemberRole(value: string): value is MemberRole {
  return (MEMBER_ROLES as readonly string[]).includes(value);
}

export interface Member {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  readonly roles: readonly string[];
  readonly status: MemberStatus;
}

/** Organizations larger than this show their first members only (one page of the API). */
const PAGE_SIZE = 100;

/**
 * The organization's members (active and invited) with their roles there.
 *
 * @example
 * const members = await listMembers(claims.oid);
 */
export async function listMembers(organizationId: string): Promise<ManagementResult<Member[]>> {
  const result = await managementCall('user.listOrganizationUsers', () =>
    scalekit().user.listOrganizationUsers(organizationId, { pageSize: PAGE_SIZE }),
  );
  if (!result.ok) return result;
  const members = result.value.users.flatMap((user) => {
    const membership = user.memberships.find((m) => m.organizationId === organizationId);
    if (!membership) return [];
    const profile = user.userProfile;
    const name = [
      profile?.givenName || profile?.firstName,
      profile?.familyName || profile?.lastName,
    ]
      .filter(Boolean)
      .join(' ');
    return [
      {
        userId: user.id,
        email: user.email,
        name,
        roles: roleNames(membership),
        status: memberStatus(membership),
      },
    ];
  });
  return { ok: true, value: members };
}

/**
 * Invites `email` with `role`: Scalekit creates the user if needed, the pending membership, and
 * sends the invitation email (`createUserAndMembership`). The SDK's call takes no role, and the
 * membership starts with the environment's default role, so another role is set right after
 * (`updateMembership`).
 *
 * @example
 * await inviteMember(claims.oid, 'new.hire@example.com', 'member');
 */
export async function inviteMember(
  organizationId: string,
  email: string,
  role: MemberRole,
): Promise<ManagementResult<{ userId: string }>> {
  const created = await managementCall('user.createUserAndMembership', () =>
    scalekit().user.createUserAndMembership(organizationId, { email, sendInvitationEmail: true }),
  );
  if (!created.ok) return created;
  const userId = created.value.user?.id ?? '';
  if (role !== 'member') {
    const updated = await changeMemberRole(organizationId, userId, role);
    if (!updated.ok) return updated;
  }
  return { ok: true, value: { userId } };
}

/** Sends a pending invitation again (`resendInvite`). */
export async function resendInvitation(
  organizationId: string,
  userId: string,
): Promise<ManagementResult<void>> {
  const result = await managementCall('user.resendInvite', () =>
    scalekit().user.resendInvite(organizationId, userId),
  );
  return result.ok ? { ok: true, value: undefined } : result;
}

/**
 * Gives the member `role` in the organization. Their session there carries the new roles from its
 * next refresh (at most the access token's lifetime, five minutes with Scalekit's default).
 */
export async function changeMemberRole(
  organizationId: string,
  userId: string,
  role: MemberRole,
): Promise<ManagementResult<void>> {
  const result = await managementCall('user.updateMembership', () =>
    scalekit().user.updateMembership(organizationId, userId, { roles: [role] }),
  );
  forgetOrganizationsOf(userId);
  return result.ok ? { ok: true, value: undefined } : result;
}

/**
 * Removes the member (`deleteMembership`) and ends their access to this organization here at once,
 * without waiting for Scalekit's `user.organization_membership_deleted` webhook: their sessions in
 * it go on the revocation list, so their next refresh is refused and, with strict revocation,
 * their next request. The webhook, when it comes, writes the same entry again.
 *
 * @example
 * await removeMember(claims.oid, userId, { store: getStore(), config: serverConfig() });
 */
export async function removeMember(
  organizationId: string,
  userId: string,
  revocation: { store: Store; config: Pick<EdgeConfig, 'sessionMaxAgeSeconds'> },
): Promise<ManagementResult<void>> {
  const result = await managementCall('user.deleteMembership', () =>
    scalekit().user.deleteMembership(organizationId, userId),
  );
  forgetOrganizationsOf(userId);
  if (!result.ok) return result;
  await revokeMembership(
    revocation.store,
    { sub: userId, oid: organizationId },
    revocationHorizon(revocation.config),
  );
  return { ok: true, value: undefined };
}
