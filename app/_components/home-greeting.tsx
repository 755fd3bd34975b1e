'use client';

import Link from 'next/link';
import { useSession } from '@/lib/client/session-provider';
import { SignInLink } from '@/app/(auth)/_components/sign-in-link';
import { SsoSignIn } from './sso-sign-in';

/** The home page's call to action, from the client's view of the session. */
export function HomeGreeting() {
  const { status, session } = useSession();
  if (status === 'loading') return null;
  if (session === null) {
    return (
      <>
        <p>
          <SignInLink />
        </p>
        <SsoSignIn />
      </>
    );
  }
  return (
    <p>
      Signed in as{' '}
      <strong data-testid="home-email">{session.user.email ?? session.user.sub}</strong>.{' '}
      <Link href="/dashboard">Open your dashboard</Link>.
    </p>
  );
}
