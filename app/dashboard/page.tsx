import Link from 'next/link';
import { Suspense } from 'react';
import { requireSession } from '@/lib/server/guards';
import { MANAGEMENT_MESSAGES } from '@/lib/server/management/call';
import { organizationsOf } from '@/lib/server/management/organizations';
import { AdminPortal } from './admin-portal';
import { InviteForm } from './invite-form';
import { OrganizationSwitcher } from './organization-switcher';
import { SessionPanel } from './session-panel';
import { VisitForm } from './visit-form';
import { WhoAmI } from './who-am-i';

export default async function DashboardPage() {
  const { user, claims, expiresAt } = await requireSession({ returnTo: '/dashboard' });
  return (
    <>
      <h1>Dashboard</h1>
      <section aria-labelledby="profile-heading" className="panel">
        <h2 id="profile-heading">Your session</h2>
        <dl>
          <dt>Name</dt>
          <dd>{user.name ?? '—'}</dd>
          <dt>Email</dt>
          <dd data-testid="email">{user.email ?? '—'}</dd>
          <dt>Organization</dt>
          <dd>{claims.oid ?? '—'}</dd>
          <dt>Roles</dt>
          <dd>{claims.roles.join(', ') || '—'}</dd>
          <dt>Permissions</dt>
          <dd>{claims.permissions.join(', ') || '—'}</dd>
          <dt>Access token expires</dt>
          <dd>
            <time dateTime={new Date(expiresAt).toISOString()}>
              {new Date(expiresAt).toISOString().replace('T', ' ').slice(0, 19)} UTC
            </time>
          </dd>
        </dl>
      </section>

      <h2>Try each kind of request</h2>
      <p className="muted">
        Each keeps working after the access token expires: the middleware and the client helpers
        renew it on the way.
      </p>
      <div className="demos">
        <VisitForm />
        <WhoAmI />
        <InviteForm />
        <Suspense fallback={<p className="panel muted">Loading your organizations…</p>}>
          <Organizations sub={claims.sub} current={claims.oid} />
        </Suspense>
        {claims.roles.includes('admin') && <AdminPortal />}
        <SessionPanel />
        <section aria-labelledby="nav-heading" className="panel">
          <h3 id="nav-heading">Client navigation</h3>
          <p>
            <Link href="/dashboard/admin">Admin area</Link>
          </p>
          {claims.permissions.includes('members:invite') && (
            <p>
              <Link href="/dashboard/members">Members</Link>
            </p>
          )}
          <p>
            <Link href="/dashboard/security">Security settings</Link> (needs a sign-in within five
            minutes)
          </p>
        </section>
      </div>
    </>
  );
}

/**
 * The switcher with the person's organizations by name. Streamed after the rest of the page, so a
 * slow management API delays this panel only.
 */
async function Organizations({ sub, current }: { sub: string; current: string | undefined }) {
  const organizations = await organizationsOf(sub);
  return (
    <OrganizationSwitcher
      current={current}
      organizations={organizations.ok ? organizations.value : null}
      unavailable={organizations.ok ? undefined : MANAGEMENT_MESSAGES[organizations.code]}
    />
  );
}
