import { setTimeout as sleep } from 'node:timers/promises';
import { AuthError, type AuthErrorCode } from '@/lib/edge/errors';
import type { TokenPair } from '@/lib/server/refresh-single-flight';

export interface CountingRedeemOptions {
  /** How long a redemption takes (Scalekit's token endpoint answering). */
  delayMs?: number;
  /** Fail with this code instead of answering, as `lib/server/refresh.ts` reports Scalekit's faults. */
  failWith?: Extract<AuthErrorCode, 'refresh_failed' | 'refresh_unavailable'>;
  /** Fail only the first this many calls (default: every call). */
  failures?: number;
}

/**
 * A redemption for `singleFlightRefresh`, whose own parameter it is (in the app: the SDK call to
 * Scalekit's token endpoint). It records every refresh token it is asked to redeem and answers
 * each call with a pair of its own, so a caller given another caller's pair can be told apart.
 *
 * @example
 * const scalekit = countingRedeem({ delayMs: 50 });
 * await singleFlightRefresh('rt_1', scalekit.redeem, { store, secrets });
 * scalekit.calls; // ['rt_1']
 */
export function countingRedeem(options: CountingRedeemOptions = {}) {
  const calls: string[] = [];
  /**
   * The redemption as one app instance runs it: failing with that instance's own `AuthError`
   * (a fresh copy of the modules has its own class, and the unit checks with `instanceof`).
   */
  const redeemWith =
    (errors: { AuthError: typeof AuthError }) =>
    async (refreshToken: string): Promise<TokenPair> => {
      calls.push(refreshToken);
      const call = calls.length;
      await sleep(options.delayMs ?? 0);
      if (options.failWith && call <= (options.failures ?? Infinity)) {
        throw new errors.AuthError(options.failWith, 'Scalekit did not redeem the refresh token');
      }
      return {
        accessToken: `at_${call}_${refreshToken}`,
        refreshToken: `rt_${call}_${refreshToken}`,
      };
    };
  return { calls, redeem: redeemWith({ AuthError }), redeemWith };
}

export type CountingRedeem = ReturnType<typeof countingRedeem>;
