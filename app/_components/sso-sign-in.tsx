'use client';

import { useActionState } from 'react';
import { startSsoSignIn, type SsoSignInState } from './sso-sign-in-action';

const INITIAL: SsoSignInState = { error: null };

/** Sign in with SSO by work email or organization id. */
export function SsoSignIn() {
  const [state, action, pending] = useActionState(startSsoSignIn, INITIAL);
  return (
    <form action={action} className="panel" aria-labelledby="sso-heading">
      <h2 id="sso-heading">Sign in with SSO</h2>
      <label>
        Work email or organization id{' '}
        <input name="identifier" required autoComplete="email" placeholder="you@company.com" />
      </label>
      <button type="submit" disabled={pending}>
        Continue with SSO
      </button>
      {state.error && (
        <p className="error" role="alert">
          {state.error}
        </p>
      )}
    </form>
  );
}
