import 'server-only';
import type { JWTPayload } from 'jose';
import { CLOCK_TOLERANCE_SECONDS } from '@/lib/edge/jwt';
import type { LoginTransaction } from './login-transaction';

/**
 * When the person last entered credentials, as far as the callback can prove it (ms since the
 * epoch), or undefined for "unknown" (step-up then asks again):
 *
 * 1. `auth_time` from the verified ID token, else the verified access token, when it is a number:
 *    the provider's own word, whatever the authorize URL said. Scalekit does not document the
 *    claim, so absent or `null` is as likely as a number.
 * 2. Without one, "now" only when this app forced the sign-in (`prompt=login` in its own
 *    transaction). The browser carries that parameter to Scalekit and could drop it on the way:
 *    without `auth_time` this cannot be checked (README, Known limitations).
 * 3. Otherwise the earlier sign-in of the same person in this browser, kept across a sign-in
 *    Scalekit may have completed from its own session (an organization switch).
 * 4. Otherwise unknown: a sign-in the app did not force may have been completed silently.
 *
 * @example
 * const signedInAt = signInTime(transaction, claims.sub, [decodeJwt(idToken), claims.payload]);
 */
export function signInTime(
  transaction: Pick<LoginTransaction, 'forced' | 'previousSignIn'>,
  sub: string,
  verified: readonly Readonly<JWTPayload>[],
): number | undefined {
  const now = Date.now();
  for (const payload of verified) {
    const authTime = payload.auth_time;
    if (typeof authTime !== 'number' || !Number.isFinite(authTime) || authTime <= 0) continue;
    // Ahead of this clock by more than the tokens' own tolerance: no proof of anything.
    if (authTime * 1000 > now + CLOCK_TOLERANCE_SECONDS * 1000) continue;
    return Math.min(authTime * 1000, now);
  }
  if (transaction.forced) return now;
  const previous = transaction.previousSignIn;
  return previous?.sub === sub ? previous.signedInAt : undefined;
}

/**
 * How much earlier than the transaction Scalekit's clock may put a sign-in that really happened
 * after it: the two clocks differ a little, and a minute is far less than any session left alone.
 */
const CLOCK_MARGIN_MS = 60_000;

/**
 * True when this app forced the sign-in (`prompt=login`) yet the provider's `auth_time` says the
 * person authenticated before it started: `prompt=login` was dropped on the way, or ignored. The
 * callback then ends on an error page; going back to the page would only send the person round
 * the same step-up again.
 *
 * @example
 * if (skippedForcedSignIn(transaction, signedInAt)) return fail('step_up_required');
 */
export function skippedForcedSignIn(
  transaction: Pick<LoginTransaction, 'forced' | 'createdAt'>,
  signedInAt: number | undefined,
): boolean {
  return (
    transaction.forced &&
    signedInAt !== undefined &&
    signedInAt < transaction.createdAt - CLOCK_MARGIN_MS
  );
}
