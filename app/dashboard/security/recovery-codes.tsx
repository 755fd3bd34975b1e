'use client';

import { useActionState } from 'react';
import { revealRecoveryCodes, type RecoveryCodesState } from './actions';

const INITIAL: RecoveryCodesState = { ok: null };

/** A Server Action behind step-up: a stale sign-in gets "Confirm it's you", not the codes. */
export function RecoveryCodes() {
  const [state, action, pending] = useActionState(revealRecoveryCodes, INITIAL);
  return (
    <section aria-labelledby="codes-heading" className="panel">
      <h2 id="codes-heading">Recovery codes</h2>
      <form action={action}>
        <button type="submit" disabled={pending}>
          Show recovery codes
        </button>
      </form>
      {state.ok === true && (
        <ul data-testid="recovery-codes">
          {state.codes.map((code) => (
            <li key={code}>
              <code>{code}</code>
            </li>
          ))}
        </ul>
      )}
      {state.ok === false && (
        <p role="alert">
          This needs a recent sign-in. {/* A full page load: /login redirects to Scalekit. */}
          <a href={state.signInUrl}>Confirm it&apos;s you</a>
        </p>
      )}
    </section>
  );
}
