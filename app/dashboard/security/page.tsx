import Link from 'next/link';
import { requireRecentSignIn } from '@/lib/server/guards';
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
      <p>
        <Link href="/dashboard">Back to the dashboard</Link>
      </p>
    </>
  );
}
