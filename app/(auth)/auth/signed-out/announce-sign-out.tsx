'use client';

import { useEffect } from 'react';
import { useSession } from '@/lib/client/session-provider';
import { announce } from '@/lib/client/session-sync';

/**
 * Tells the app's other tabs that this browser has signed out, so they stop showing the session;
 * only when this page really rendered without one (a visit to this URL alone changes nothing).
 */
export function AnnounceSignOut() {
  const { status } = useSession();
  useEffect(() => {
    if (status === 'signed-out') announce({ type: 'signed-out' });
  }, [status]);
  return null;
}
