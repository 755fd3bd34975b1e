'use server';

import { redirect } from 'next/navigation';
import { isValidAuthorizeValue } from '@/lib/server/authorize-options';

export interface SsoSignInState {
  readonly error: string | null;
}

/**
 * "Sign in with SSO": a work email becomes `login_hint` (Scalekit finds the organization's SSO
 * connection by its domain), an organization id goes straight to that organization's connection.
 * Both are checked by the rules `/login` applies.
 */
export async function startSsoSignIn(
  _previous: SsoSignInState,
  form: FormData,
): Promise<SsoSignInState> {
  const value = String(form.get('identifier') ?? '').trim();
  const params = new URLSearchParams();
  if (isValidAuthorizeValue('organization_id', value)) params.set('organization_id', value);
  else if (value.includes('@') && isValidAuthorizeValue('login_hint', value)) {
    params.set('login_hint', value);
  } else {
    return { error: 'Enter your work email or your organization id (org_…).' };
  }
  params.set('returnTo', '/dashboard');
  redirect(`/login?${params}`);
}
