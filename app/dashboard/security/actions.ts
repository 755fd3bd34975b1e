'use server';

import { checkRecentSignIn, type StepUpRequired } from '@/lib/server/guards';
import { STEP_UP_SECONDS } from './step-up';

export type RecoveryCodesState =
  { readonly ok: true; readonly codes: readonly string[] } | StepUpRequired | { readonly ok: null };

/**
 * Shows fresh recovery codes (generated here for the demo; a real app stores their hashes), only
 * to a person who signed in within five minutes; otherwise a coded answer the page acts on.
 */
export async function revealRecoveryCodes(): Promise<RecoveryCodesState> {
  const check = await checkRecentSignIn(STEP_UP_SECONDS, { returnTo: '/dashboard/security' });
  if (!check.ok) return check;
  const codes = Array.from({ length: 4 }, () =>
    Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) =>
      b.toString(16).padStart(2, '0'),
    ).join(''),
  );
  return { ok: true, codes };
}
