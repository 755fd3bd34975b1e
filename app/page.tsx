import Link from 'next/link';
import { getSession } from '@/lib/server/session';
import { SignInLink } from '@/app/_components/sign-in-link';

export default async function HomePage() {
  const session = await getSession();
  return (
    <>
      <h1>Scalekit hosted login for Next.js</h1>
      <p>
        Sessions are verified at the Edge on every request to a protected page, and tokens are
        rotated by Node route handlers with the Scalekit SDK.
      </p>
      {session ? (
        <p>
          Signed in as <strong>{session.user.email ?? session.claims.sub}</strong>.{' '}
          <Link href="/dashboard">Open your dashboard</Link>.
        </p>
      ) : (
        <p>
          <SignInLink />
        </p>
      )}
    </>
  );
}
