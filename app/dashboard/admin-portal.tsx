'use client';

import { useActionState } from 'react';
import { openAdminPortal, type PortalState } from './actions';

const INITIAL: PortalState = { error: null };

/** The admin portal button: the link is generated when clicked, never ahead (it lasts a minute). */
export function AdminPortal() {
  const [state, action, pending] = useActionState(openAdminPortal, INITIAL);
  return (
    <section aria-labelledby="portal-heading" className="panel">
      <h3 id="portal-heading">Single sign-on and SCIM</h3>
      <p className="muted">
        Your IT admin configures your identity provider in Scalekit&apos;s portal.
      </p>
      <form action={action}>
        <button type="submit" disabled={pending}>
          Set up SSO and SCIM
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
