'use client';

import { useActionState, useEffect, useRef } from 'react';
import { endSessionsAction, type SessionsState } from './actions';

interface SessionRow {
  readonly sessionId: string;
  readonly device: string;
  readonly location: string;
  readonly lastActiveAt: string | null;
}

/**
 * The person's sessions (this one marked), with "end" on each other one, "sign out everywhere
 * else" and "sign out everywhere" (which ends the others, then signs this browser out via /logout).
 */
export function SessionsPanel({
  sessions,
  current,
}: {
  sessions: readonly SessionRow[];
  current: string;
}) {
  const [state, action, pending] = useActionState<SessionsState, FormData>(endSessionsAction, null);
  const signOut = useRef<HTMLFormElement>(null);
  const signOutHere = state?.ok === true && state.signOutHere === true;
  useEffect(() => {
    if (signOutHere) signOut.current?.requestSubmit();
  }, [signOutHere]);
  return (
    <>
      <ul aria-label="Your sessions">
        {sessions.map((session) => (
          <li key={session.sessionId} data-testid="user-session">
            <strong>{session.device}</strong> · {session.location} · last active{' '}
            {session.lastActiveAt ? (
              <time dateTime={session.lastActiveAt}>
                {session.lastActiveAt.replace('T', ' ').slice(0, 19)} UTC
              </time>
            ) : (
              'unknown'
            )}{' '}
            {session.sessionId === current ? (
              <em>(this browser)</em>
            ) : (
              <form action={action} style={{ display: 'inline' }}>
                <input type="hidden" name="sessionId" value={session.sessionId} />
                <button type="submit" name="scope" value="one" disabled={pending}>
                  End this session
                </button>
              </form>
            )}
          </li>
        ))}
      </ul>
      <form action={action}>
        <button type="submit" name="scope" value="others" disabled={pending}>
          Sign out everywhere else
        </button>{' '}
        <button type="submit" name="scope" value="all" disabled={pending}>
          Sign out everywhere
        </button>
      </form>
      <form ref={signOut} action="/logout" method="post" hidden />
      {state && (
        <p role={state.ok ? 'status' : 'alert'} className={state.ok ? 'result' : 'error'}>
          {state.message}
        </p>
      )}
    </>
  );
}
