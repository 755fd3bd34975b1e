import Link from 'next/link';
import { requirePermission } from '@/lib/server/guards';
import { MANAGEMENT_MESSAGES } from '@/lib/server/management/call';
import { listMembers, MEMBER_ROLES } from '@/lib/server/management/members';
import { InviteMember, MembersTable } from './members-panel';

/**
 * The current organization's members, from Scalekit's management API. Needs `members:invite` to
 * see and invite; changing roles and removing need `organization:write` (checked by the actions).
 */
export default async function MembersPage() {
  const { claims } = await requirePermission('members:invite', { returnTo: '/dashboard/members' });
  const members = claims.oid ? await listMembers(claims.oid) : null;
  return (
    <>
      <h1>Members</h1>
      <p className="muted">
        A removed member loses access to this organization at their next token refresh, or at their
        next request with strict revocation. A new role applies from their next refresh.
      </p>
      <InviteMember roles={MEMBER_ROLES} />
      {members?.ok ? (
        <MembersTable members={members.value} roles={MEMBER_ROLES} self={claims.sub} />
      ) : (
        <p className="error" role="alert">
          {members ? MANAGEMENT_MESSAGES[members.code] : 'This session belongs to no organization.'}
        </p>
      )}
      <p>
        <Link href="/dashboard">Back to the dashboard</Link>
      </p>
    </>
  );
}
