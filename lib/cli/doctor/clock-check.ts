import { CLOCK_TOLERANCE_SECONDS } from '../../edge/jwt';
import type { Answer } from './http';
import type { CheckResult } from './report';

/**
 * Skew worth a warning. `Date` has whole seconds and the request takes time, so up to about a
 * second of difference is the measurement itself; beyond two the clock is off, and eats into
 * the {@link CLOCK_TOLERANCE_SECONDS} the app allows on token times.
 */
const CLOCK_WARNING_SECONDS = 2;

const FIX =
  "Synchronise this machine's clock (timedatectl set-ntp true on Linux; Set time automatically on macOS and Windows).";

/**
 * Compares this machine's clock with the environment's `Date` header on an answer it gave.
 * Positive skew: the environment is ahead (this machine is behind, so fresh tokens look not yet
 * valid); negative: this machine is ahead (tokens look expired early).
 *
 * @example
 * const result = checkClock(discoveryAnswer);
 */
export function checkClock(answer: Answer): CheckResult {
  const date = Date.parse(answer.headers.get('date') ?? '');
  if (Number.isNaN(date)) {
    return {
      id: 'clock',
      status: 'warn',
      summary: 'cannot tell: the environment sent no readable Date header',
      fix: FIX,
    };
  }
  // The environment's clock read somewhere within [date, date + 1 s) while answering, which
  // happened around the middle of the round trip.
  const skewSeconds = (date + 500 - (answer.sentAt + answer.receivedAt) / 2) / 1000;
  const rounded = Math.round(skewSeconds * 10) / 10;
  const size = Math.abs(rounded);
  const shown = `${size.toFixed(1)} s`;
  const direction = rounded > 0 ? 'behind' : 'ahead of';
  const measured = { skewSeconds: rounded };
  if (size > CLOCK_TOLERANCE_SECONDS) {
    return {
      id: 'clock',
      status: 'fail',
      summary: `this machine's clock is ${shown} ${direction} the environment's, beyond the ${CLOCK_TOLERANCE_SECONDS} s the app allows on token times: fresh tokens would be refused or expire early`,
      fix: FIX,
      measured,
    };
  }
  if (size > CLOCK_WARNING_SECONDS) {
    return {
      id: 'clock',
      status: 'warn',
      summary: `this machine's clock is ${shown} ${direction} the environment's: within the ${CLOCK_TOLERANCE_SECONDS} s the app allows on token times, with little margin left`,
      fix: FIX,
      measured,
    };
  }
  return {
    id: 'clock',
    status: 'pass',
    summary: `this machine's clock agrees with the environment's to about ${Math.max(1, Math.ceil(size))} s (the app allows ${CLOCK_TOLERANCE_SECONDS} s on token times)`,
    measured,
  };
}
