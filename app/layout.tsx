import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { SignInLink } from '@/app/_components/sign-in-link';
import { SessionKeeper } from '@/lib/client/session-keeper';
import { getSession } from '@/lib/server/session';
import './globals.css';

export const metadata: Metadata = {
  title: 'Scalekit × Next.js',
  description: 'Scalekit hosted login, verified at the Edge.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await getSession();
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <Link href="/" className="brand">
            Scalekit × Next.js
          </Link>
          <nav aria-label="Account">
            {session ? (
              <>
                <Link href="/dashboard">Dashboard</Link>
                <span className="who">{session.user.email ?? session.claims.sub}</span>
                <form action="/logout" method="post">
                  <button type="submit" className="link-button">
                    Sign out
                  </button>
                </form>
              </>
            ) : (
              <SignInLink />
            )}
          </nav>
        </header>
        <main>{children}</main>
        {/* Only the expiry crosses to the browser; the tokens stay in HttpOnly cookies. */}
        {session && <SessionKeeper expiresAt={session.expiresAt} />}
      </body>
    </html>
  );
}
