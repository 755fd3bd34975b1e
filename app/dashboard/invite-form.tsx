'use client';

import { useActionState } from 'react';
import { inviteMember, type InviteState } from './actions';

const INITIAL: InviteState = { invited: null };

/** A Server Action that needs a permission: `members:invite`, which admins hold and members do not. */
export function InviteForm() {
  const [state, action, pending] = useActionState(inviteMember, INITIAL);
  return (
    <section aria-labelledby="invite-heading" className="panel">
      <h3 id="invite-heading">Server Action with a permission</h3>
      <form action={action}>
        <label>
          Teammate&apos;s email <input type="email" name="email" required />
        </label>
        <button type="submit" disabled={pending}>
          {pending ? 'Inviting…' : 'Invite'}
        </button>
      </form>
      {state.invited && (
        <p role="status" className="result">
          Invited <strong data-testid="invited">{state.invited}</strong>.
        </p>
      )}
    </section>
  );
}
