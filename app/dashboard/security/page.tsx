import Link from 'next/link';
import { Suspense } from 'react';
import { serverConfig } from '@/lib/server/env';
import { requireRecentSignIn } from '@/lib/server/guards';
import { MANAGEMENT_MESSAGES } from '@/lib/server/management/call';
import { activeSessionsOf } from '@/lib/server/management/sessions';
import { SessionsPanel } from './sessions-panel';
import { STEP_UP_SECONDS } from './step-up';
import { RecoveryCodes } from './recovery-codes';

export default async function SecuritySettingsPage() {
  // A sign-in older than five minutes goes through /login?prompt=login and comes back here.
  const session = await requireRecentSignIn(STEP_UP_SECONDS, { returnTo: '/dashboard/security' });
  const signedInAt = new Date(session.signedInAt!).toISOString();
  return (
    <>
      <h1>Security settings</h1>
      <p>
        You signed in at{' '}
        <time dateTime={signedInAt} data-testid="signed-in-at">
          {signedInAt.replace('T', ' ').slice(0, 19)} UTC
        </time>
        . This page needs a sign-in within the last five minutes.
      </p>
      <RecoveryCodes />
      <section aria-labelledby="sessions-heading" className="panel">
        <h2 id="sessions-heading">Your sessions</h2>
        <p className="muted" data-testid="revocation-effect">
          {serverConfig().revocation === 'strict'
            ? 'An ended session is refused at its next request (strict revocation).'
            : 'An ended session stops at its next token refresh, within the access token’s lifetime (five minutes by default).'}
        </p>
        <Suspense fallback={<p className="muted">Loading your sessions…</p>}>
          <Sessions sub={session.claims.sub} current={session.claims.sid} />
        </Suspense>
      </section>
      <p>
        <Link href="/dashboard">Back to the dashboard</Link>
      </p>
    </>
  );
}

/** Streamed: a slow management API delays this list only. */
async function Sessions({ sub, current }: { sub: string; current: string }) {
  const sessions = await activeSessionsOf(sub);
  if (!sessions.ok) {
    return (
      <p className="error" role="alert">
        {MANAGEMENT_MESSAGES[sessions.code]}
      </p>
    );
  }
  return <SessionsPanel sessions={sessions.value} current={current} />;
}
