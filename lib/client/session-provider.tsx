'use client';

import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { keepSession } from './session-keeper';
import { SIGNED_OUT, type SessionState } from './session-state';
import { announce, onSessionNews } from './session-sync';

const SessionContext = createContext<SessionState | null>(null);

/**
 * Gives client components the session (`useSession()`) and keeps it alive. Render it once, in the
 * root layout, with `initial` from `getSessionState()`; it updates after every renewal, an
 * organization switch and a sign-out, in this tab and in the others (BroadcastChannel).
 *
 * When the session ends (renewal refused here or in another tab, or a sign-out elsewhere): a page
 * that was `renewing` (a public page opened after the token expired) simply shows the person
 * signed out; a page rendered for a signed-in person reloads, so a protected page goes through
 * sign-in and back, and a public one shows its signed-out version.
 *
 * @example
 * <SessionProvider initial={await getSessionState()}>{children}</SessionProvider>
 */
export function SessionProvider({
  initial,
  children,
}: {
  initial: SessionState;
  children: ReactNode;
}) {
  const [state, setState] = useState<SessionState>(initial);

  // A new server render (navigation, sign-in, organization switch) brings a new snapshot.
  const [seen, setSeen] = useState(initial);
  if (seen !== initial) {
    setSeen(initial);
    setState(initial);
  }

  useEffect(() => {
    if (initial.status === 'signed-out') {
      // Whoever can hear it: this page knows there is no session (e.g. just after sign-out).
      return onSessionNews((news) => {
        if (news.type === 'session') setState({ status: 'signed-in', session: news.session });
      });
    }
    // Tell the other tabs what this render knows (a sign-in or a switch they have not seen).
    if (initial.status === 'signed-in') announce({ type: 'session', session: initial.session });
    return keepSession(initial.session, {
      onSession: (session) => setState({ status: 'signed-in', session }),
      onEnded: () => {
        setState(SIGNED_OUT);
        // Never from `renewing`: its refusal may have left the cookies in place (a planted refresh
        // cookie), and a reload would only renew and fail again.
        if (initial.status === 'signed-in') window.location.reload();
      },
    });
  }, [initial]);

  return <SessionContext.Provider value={state}>{children}</SessionContext.Provider>;
}

/**
 * The session as the browser may know it: `status` (`signed-in`, `renewing`, `signed-out`) and,
 * unless signed out, the person, organization, roles, permissions and expiry. Never a token.
 *
 * @example
 * const { status, session } = useSession();
 * if (status !== 'signed-out') return <p>{session.user.email} in {session.organizationId}</p>;
 */
export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession() needs <SessionProvider> above it (app/layout.tsx)');
  return state;
}
