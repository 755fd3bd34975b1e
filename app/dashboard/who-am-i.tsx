'use client';

import { useState } from 'react';
import { fetchWithSession } from '@/lib/client/fetch-with-session';

type Outcome =
  | { state: 'idle' | 'loading' }
  | { state: 'done'; email: string }
  | { state: 'failed'; status: number };

/** Calls a protected API route through `fetchWithSession`, which survives an expired token. */
export function WhoAmI() {
  const [outcome, setOutcome] = useState<Outcome>({ state: 'idle' });

  async function ask() {
    setOutcome({ state: 'loading' });
    try {
      const response = await fetchWithSession('/api/protected/me');
      if (!response.ok) return setOutcome({ state: 'failed', status: response.status });
      const body = (await response.json()) as { email?: string; sub?: string };
      setOutcome({ state: 'done', email: body.email ?? body.sub ?? 'unknown' });
    } catch {
      setOutcome({ state: 'failed', status: 0 });
    }
  }

  return (
    <section aria-labelledby="whoami-heading" className="panel">
      <h3 id="whoami-heading">API route</h3>
      <button type="button" onClick={ask} disabled={outcome.state === 'loading'}>
        Who am I?
      </button>
      <p role="status" className="result">
        {outcome.state === 'loading' && 'Asking /api/protected/me…'}
        {outcome.state === 'done' && (
          <>
            The API says you are <strong data-testid="api-email">{outcome.email}</strong>.
          </>
        )}
        {outcome.state === 'failed' &&
          (outcome.status === 401 ? (
            <>
              Your session has ended. <a href="/login?returnTo=%2Fdashboard">Sign in again</a>.
            </>
          ) : (
            <span className="error">The API could not answer just now. Try again.</span>
          ))}
      </p>
    </section>
  );
}
