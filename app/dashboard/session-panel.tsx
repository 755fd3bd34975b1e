'use client';

import { useSession } from '@/lib/client/session-provider';

/** What a client component knows of the session through `useSession()`: no token. */
export function SessionPanel() {
  const { status, session } = useSession();
  return (
    <section aria-labelledby="use-session-heading" className="panel">
      <h3 id="use-session-heading">useSession()</h3>
      <dl>
        <dt>Status</dt>
        <dd data-testid="session-status">{status}</dd>
        <dt>Organization</dt>
        <dd>{session?.organizationId ?? '—'}</dd>
        <dt>Roles</dt>
        <dd>{session?.roles.join(', ') || '—'}</dd>
        <dt>Expires</dt>
        <dd data-testid="session-expires-at" data-expires-at={session?.expiresAt}>
          {session ? `${new Date(session.expiresAt).toISOString().slice(11, 19)} UTC` : '—'}
        </dd>
      </dl>
    </section>
  );
}
