'use client';

import { useActionState } from 'react';
import { useSession } from '@/lib/client/session-provider';
import { switchOrganizationAction, type SwitchState } from './actions';

const INITIAL: SwitchState = { error: null };

/** Switch organization: Scalekit's switcher, or straight into an organization by id. */
export function OrganizationSwitcher() {
  const { session } = useSession();
  const [state, action, pending] = useActionState(switchOrganizationAction, INITIAL);
  return (
    <section aria-labelledby="org-heading" className="panel">
      <h3 id="org-heading">Organization</h3>
      <p>
        Current: <code data-testid="organization">{session?.organizationId ?? '—'}</code>
      </p>
      <form action={action}>
        <label>
          Organization id (optional) <input name="organization" placeholder="org_…" />
        </label>
        <button type="submit" disabled={pending}>
          Switch organization
        </button>
      </form>
      {state.error && (
        <p className="error" role="alert">
          {state.error}
        </p>
      )}
    </section>
  );
}
