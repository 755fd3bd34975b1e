'use client';

import { useActionState } from 'react';
import { switchOrganizationAction, type SwitchState } from './actions';

const INITIAL: SwitchState = { error: null };

export interface SwitcherProps {
  /** The current organization's id. */
  readonly current: string | undefined;
  /** The person's organizations, by name with their roles there; null when they could not be listed. */
  readonly organizations: ReadonlyArray<{
    id: string;
    name: string;
    roles: readonly string[];
  }> | null;
  /** Why the list is missing (a coded, plain message), when it is. */
  readonly unavailable?: string;
}

/**
 * The person's organizations by name, with their roles there and the current one marked; a button
 * switches to another one (today's flow: `/login` with `organization_id`). With one organization
 * there is nothing to switch to, and no switcher. When the list cannot be loaded, Scalekit's own
 * organization picker still works.
 */
export function OrganizationSwitcher({ current, organizations, unavailable }: SwitcherProps) {
  const [state, action, pending] = useActionState(switchOrganizationAction, INITIAL);
  const currentName = organizations?.find((organization) => organization.id === current)?.name;
  if (organizations !== null && organizations.length <= 1) {
    return (
      <section aria-labelledby="org-heading" className="panel">
        <h3 id="org-heading">Organization</h3>
        <p>
          {currentName ?? 'Current'}: <code data-testid="organization">{current ?? '—'}</code>
        </p>
      </section>
    );
  }
  return (
    <section aria-labelledby="org-heading" className="panel">
      <h3 id="org-heading">Organization</h3>
      <p>
        Current: {currentName && <strong>{currentName} </strong>}
        <code data-testid="organization">{current ?? '—'}</code>
      </p>
      <form action={action}>
        {organizations && (
          <ul aria-label="Your organizations">
            {organizations.map((organization) => (
              <li key={organization.id}>
                {organization.id === current ? (
                  <span aria-current="true">{organization.name} (current)</span>
                ) : (
                  <button
                    type="submit"
                    name="organization"
                    value={organization.id}
                    disabled={pending}
                  >
                    Switch to {organization.name}
                  </button>
                )}{' '}
                <span className="muted">{organization.roles.join(', ') || 'no role'}</span>
              </li>
            ))}
          </ul>
        )}
        {unavailable && <p className="muted">{unavailable}</p>}
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
