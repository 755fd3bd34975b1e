'use client';

import { useActionState } from 'react';
import { recordVisit, type VisitsState } from './actions';

const INITIAL: VisitsState = { visits: [] };

/** A Server Action form: each submit runs on the server with the session's verified subject. */
export function VisitForm() {
  const [state, action, pending] = useActionState(recordVisit, INITIAL);
  return (
    <section aria-labelledby="visits-heading" className="panel">
      <h3 id="visits-heading">Server Action</h3>
      <form action={action}>
        <button type="submit" disabled={pending}>
          {pending ? 'Recording…' : 'Record a visit'}
        </button>
      </form>
      <ol aria-live="polite" aria-label="Recorded visits" className="visits">
        {state.visits.map((visit) => (
          <li key={visit.at}>
            <time dateTime={visit.at}>{formatTime(visit.at)}</time> as <code>{visit.sub}</code>
            <small> (token valid until {formatTime(visit.tokenExpiresAt)})</small>
          </li>
        ))}
      </ol>
    </section>
  );
}

function formatTime(iso: string): string {
  return `${iso.slice(11, 19)} UTC`;
}
