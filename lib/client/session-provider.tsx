'use client';

import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { fetchSessionState } from './session-endpoint';
import { watchDeparture } from './page-departure';
import { keepSession } from './session-keeper';
import { LOADING, SIGNED_OUT, type SessionState } from './session-state';
import { announce, onSessionNews } from './session-sync';

interface SessionContextValue {
  /** What `useSession()` returns. */
  readonly state: SessionState;
  /** The server's latest word (from `/api/session` or a {@link SessionSeed}); null until then. */
  readonly basis: SessionState | null;
  readonly seed: (state: SessionState) => void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

/**
 * Gives client components the session (`useSession()`) and keeps it alive. Render it once, in the
 * root layout: it reads no cookie on the server, so the layout and every page that does not ask
 * for the session stay static. In the browser it asks `GET /api/session` once (status `loading`
 * until then), or takes the snapshot a dynamic page already rendered ({@link SessionSeed}); it
 * updates after every renewal, an organization switch and a sign-out, in this tab and in the
 * others (BroadcastChannel).
 *
 * When the session ends (renewal refused here or in another tab, or a sign-out elsewhere): a page
 * that was `renewing` (a public page opened after the token expired) simply shows the person
 * signed out; a page rendered for a signed-in person reloads, so a protected page goes through
 * sign-in and back, and a public one shows its signed-out version. A page already navigating away
 * (the sign-out form on its way to Scalekit's logout) is left to go: a reload would cancel it.
 *
 * @example
 * <SessionProvider>{children}</SessionProvider>
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [basis, setBasis] = useState<SessionState | null>(null);
  const [state, setState] = useState<SessionState>(LOADING);
  const seeded = useRef(false);

  const seed = useCallback((next: SessionState) => {
    seeded.current = true;
    setBasis(next);
    setState(next);
  }, []);

  // A seed's effect runs before this one (children first), so a seeded page never asks.
  useEffect(() => {
    if (seeded.current) return;
    const controller = new AbortController();
    fetchSessionState(controller.signal).then(
      (next) => {
        if (!seeded.current) seed(next);
      },
      () => {}, // aborted: unmounted
    );
    return () => controller.abort();
  }, [seed]);

  useEffect(() => {
    if (basis === null) return;
    if (basis.status !== 'signed-in' && basis.status !== 'renewing') {
      // Whoever can hear it: this page knows there is no session (e.g. just after sign-out).
      return onSessionNews((news) => {
        if (news.type === 'session') setState({ status: 'signed-in', session: news.session });
      });
    }
    // Tell the other tabs what this render knows (a sign-in or a switch they have not seen).
    if (basis.status === 'signed-in') announce({ type: 'session', session: basis.session });
    const departure = watchDeparture();
    const stopKeeping = keepSession(basis.session, {
      onSession: (session) => setState({ status: 'signed-in', session }),
      onEnded: () => {
        setState(SIGNED_OUT);
        // Never from `renewing`: its refusal may have left the cookies in place (a planted refresh
        // cookie), and a reload would only renew and fail again. Never on a page already on its
        // way out: the reload would cancel that navigation (a sign-out on its way to Scalekit).
        if (basis.status === 'signed-in' && !departure.leaving()) window.location.reload();
      },
    });
    return () => {
      stopKeeping();
      departure.stop();
    };
  }, [basis]);

  const value = useMemo(() => ({ state, basis, seed }), [state, basis, seed]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/**
 * Hands `SessionProvider` the session a dynamic layout or page has already read on the server, so
 * its client components render with it (in the HTML too) and the browser skips `/api/session`.
 * Only where the render is dynamic anyway: reading the session makes a page dynamic.
 *
 * @example
 * // app/dashboard/layout.tsx
 * <SessionSeed state={await getSessionState()}>{children}</SessionSeed>
 */
export function SessionSeed({ state, children }: { state: SessionState; children: ReactNode }) {
  const outer = useContext(SessionContext);
  if (!outer) throw new Error('<SessionSeed> needs <SessionProvider> above it (app/layout.tsx)');
  const { seed } = outer;
  useEffect(() => seed(state), [seed, state]);
  // Until the provider has taken this render's state (the server render, the first paint), the
  // subtree shows it as it is; afterwards, the provider's (renewals, other tabs' news).
  const value = useMemo(
    () => (outer.basis === state ? outer : { ...outer, state }),
    [outer, state],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/**
 * The session as the browser may know it: `status` (`loading`, `signed-in`, `renewing`,
 * `signed-out`) and, when signed in or renewing, the person, organization, roles, permissions and
 * expiry. Never a token.
 *
 * @example
 * const { session } = useSession();
 * if (session) return <p>{session.user.email} in {session.organizationId}</p>;
 */
export function useSession(): SessionState {
  const context = useContext(SessionContext);
  if (!context) throw new Error('useSession() needs <SessionProvider> above it (app/layout.tsx)');
  return context.state;
}
