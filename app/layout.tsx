import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { AccountNav } from '@/app/_components/account-nav';
import { SessionProvider } from '@/lib/client/session-provider';
import { getSessionState } from '@/lib/server/session';
import './globals.css';

export const metadata: Metadata = {
  title: 'Scalekit × Next.js',
  description: 'Scalekit hosted login, verified at the Edge.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Only a snapshot crosses to the browser (who, organization, roles, expiry); tokens stay in
  // HttpOnly cookies.
  const initial = await getSessionState();
  return (
    <html lang="en">
      <body>
        <SessionProvider initial={initial}>
          <header className="site-header">
            <Link href="/" className="brand">
              Scalekit × Next.js
            </Link>
            <nav aria-label="Account">
              <AccountNav />
            </nav>
          </header>
          <main>{children}</main>
        </SessionProvider>
      </body>
    </html>
  );
}
