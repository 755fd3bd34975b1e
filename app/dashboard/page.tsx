import Link from 'next/link';
import { requireSession } from '@/lib/server/guards';
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
        <OrganizationSwitcher />
        <SessionPanel />
        <section aria-labelledby="nav-heading" className="panel">
          <h3 id="nav-heading">Client navigation</h3>
          <p>
            <Link href="/dashboard/admin">Admin area</Link>
          </p>
          <p>
            <Link href="/dashboard/security">Security settings</Link> (needs a sign-in within five
            minutes)
          </p>
        </section>
      </div>
    </>
  );
}
