'use client';

import { useEffect } from 'react';
import { announce } from '@/lib/client/session-sync';

/** Tells the app's other tabs that this browser has signed out, so they stop showing the session. */
export function AnnounceSignOut() {
  useEffect(() => announce({ type: 'signed-out' }), []);
  return null;
}
