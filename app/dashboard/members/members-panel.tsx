'use client';

import { useActionState } from 'react';
import { inviteAction, memberAction, type MembersState } from './actions';

interface MemberRow {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  readonly roles: readonly string[];
  readonly status: string;
}

function Outcome({ state }: { state: MembersState }) {
  if (!state) return null;
  return (
    <p role={state.ok ? 'status' : 'alert'} className={state.ok ? 'result' : 'error'}>
      {state.message}
    </p>
  );
}

/** Invite by email with a role. */
export function InviteMember({ roles }: { roles: readonly string[] }) {
  const [state, action, pending] = useActionState(inviteAction, null);
  return (
    <form action={action} aria-label="Invite a member">
      <label>
        Email <input type="email" name="email" required />
      </label>{' '}
      <label>
        Role{' '}
        <select name="role" aria-label="Role" defaultValue={roles[0]}>
          {roles.map((role) => (
            <option key={role}>{role}</option>
          ))}
        </select>
      </label>{' '}
      <button type="submit" disabled={pending}>
        Invite
      </button>
      <Outcome state={state} />
    </form>
  );
}

/** The members with their roles and status; resend, change role, remove. */
export function MembersTable({
  members,
  roles,
  self,
}: {
  members: readonly MemberRow[];
  roles: readonly string[];
  self: string;
}) {
  const [state, action, pending] = useActionState(memberAction, null);
  return (
    <>
      <Outcome state={state} />
      <table>
        <thead>
          <tr>
            <th scope="col">Member</th>
            <th scope="col">Roles</th>
            <th scope="col">Status</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {members.map((member) => (
            <tr key={member.userId} data-testid="member" aria-label={member.email}>
              <td>
                {member.email}
                {member.name && <span className="muted"> ({member.name})</span>}
              </td>
              <td data-testid="member-roles">{member.roles.join(', ') || '—'}</td>
              <td data-testid="member-status">{member.status}</td>
              <td>
                {member.userId !== self && (
                  <form action={action}>
                    <input type="hidden" name="userId" value={member.userId} />
                    {member.status === 'invited' && (
                      <button type="submit" name="intent" value="resend" disabled={pending}>
                        Resend invitation
                      </button>
                    )}{' '}
                    <select
                      name="role"
                      aria-label={`Role for ${member.email}`}
                      defaultValue={member.roles[0] ?? roles[0]}
                    >
                      {roles.map((role) => (
                        <option key={role}>{role}</option>
                      ))}
                    </select>{' '}
                    <button type="submit" name="intent" value="role" disabled={pending}>
                      Change role
                    </button>{' '}
                    <button type="submit" name="intent" value="remove" disabled={pending}>
                      Remove
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
