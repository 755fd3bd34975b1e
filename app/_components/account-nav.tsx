'use client';

import Link from 'next/link';
import { useSession } from '@/lib/client/session-provider';
import { SignInLink } from '@/app/(auth)/_components/sign-in-link';

/**
 * The header's account area: who is signed in (also while a session renews), or Sign in; empty
 * while the browser is still asking (the page itself is static).
 */
export function AccountNav() {
  const { status, session } = useSession();
  if (status === 'loading') return null;
  if (session === null) return <SignInLink />;
  return (
    <>
      <Link href="/dashboard">Dashboard</Link>
      <span className="who" data-session-status={status}>
        {session.user.email ?? session.user.sub}
        {status === 'renewing' && <small> (renewing…)</small>}
      </span>
      <form action="/logout" method="post">
        <button type="submit" className="link-button">
          Sign out
        </button>
      </form>
    </>
  );
}
