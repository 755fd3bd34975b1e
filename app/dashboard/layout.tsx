import type { ReactNode } from 'react';
import { SessionSeed } from '@/lib/client/session-provider';
import { getSessionState } from '@/lib/server/session';

/**
 * The dashboard is dynamic anyway (its pages require the session), so it hands the session it
 * read to `useSession()`: its client components render signed in from the first byte, and the
 * browser skips `/api/session`.
 */
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  return <SessionSeed state={await getSessionState()}>{children}</SessionSeed>;
}
