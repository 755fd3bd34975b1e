import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { AccountNav } from '@/app/_components/account-nav';
import { SessionProvider } from '@/lib/client/session-provider';
import './globals.css';

export const metadata: Metadata = {
  title: 'Scalekit × Next.js',
  description: 'Scalekit hosted login, verified at the Edge.',
};

// Reads no cookie, so every page that does not ask for the session is prerendered (README, "Keep a
// page static while showing who is signed in"): the browser learns who is signed in from
// /api/session, a snapshot (who, organization, roles, expiry), never a token.
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <SessionProvider>
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
