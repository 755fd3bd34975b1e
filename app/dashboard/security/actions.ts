'use server';

import { revalidatePath } from 'next/cache';
import { serverConfig } from '@/lib/server/env';
import { checkRecentSignIn, requireSession, type StepUpRequired } from '@/lib/server/guards';
import { MANAGEMENT_MESSAGES } from '@/lib/server/management/call';
import { activeSessionsOf, endSession, endSessionsOf } from '@/lib/server/management/sessions';
import { getStore } from '@/lib/server/store/get-store';
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

/** What a sessions action did, or why not; `signOutHere` asks the page to sign this browser out. */
export type SessionsState =
  | { readonly ok: true; readonly message: string; readonly signOutHere?: boolean }
  | { readonly ok: false; readonly message: string }
  | null;

/**
 * Ends sessions of the signed-in person: `one` (the session named in the form, never this one),
 * `others` (every one but this), `all` (every one; the page then signs this browser out through
 * `/logout`). Through Scalekit's session API and this app's revocation list.
 */
export async function endSessionsAction(
  _previous: SessionsState,
  form: FormData,
): Promise<SessionsState> {
  const { claims } = await requireSession({ returnTo: '/dashboard/security' });
  const revocation = { store: getStore(), config: serverConfig() };
  const scope = String(form.get('scope') ?? '');
  if (scope === 'one') {
    const sessionId = String(form.get('sessionId') ?? '');
    if (!/^ses_\w+$/.test(sessionId) || sessionId === claims.sid) {
      return { ok: false, message: 'Choose another session.' };
    }
    const owned = await activeSessionsOf(claims.sub);
    if (!owned.ok) return { ok: false, message: MANAGEMENT_MESSAGES[owned.code] };
    if (!owned.value.some((session) => session.sessionId === sessionId)) {
      return { ok: false, message: MANAGEMENT_MESSAGES.not_found };
    }
    const ended = await endSession(sessionId, revocation);
    if (!ended.ok) return { ok: false, message: MANAGEMENT_MESSAGES[ended.code] };
    revalidatePath('/dashboard/security');
    return { ok: true, message: 'Session ended.' };
  }
  if (scope !== 'others' && scope !== 'all') return { ok: false, message: 'Unknown action.' };
  // "Everywhere" ends the others the same way, and this one through /logout, which also ends it
  // at Scalekit and clears this browser's cookies.
  const ended = await endSessionsOf(claims.sub, revocation, claims.sid);
  if (!ended.ok) return { ok: false, message: MANAGEMENT_MESSAGES[ended.code] };
  revalidatePath('/dashboard/security');
  const count = `${ended.value} other session${ended.value === 1 ? '' : 's'} ended.`;
  return scope === 'all'
    ? { ok: true, message: count, signOutHere: true }
    : { ok: true, message: count };
}
