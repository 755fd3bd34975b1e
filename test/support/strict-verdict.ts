import { expect } from 'vitest';
import { REVOCATION_READ_TIMEOUT_MS } from '@/lib/edge/upstash-reader';
import { captureAuthLog } from './auth-log';

/** Whether the middleware let the request through (`NextResponse.next()`). */
export const passes = (response: Response) => response.headers.get('x-middleware-next') === '1';

/**
 * Asks until the answer is strict revocation's verdict rather than its store-error policy's. The
 * revocation read gets 300 ms; past that, the default policy lets the request through. On a busy
 * machine a cold read takes longer (458 ms measured with two CPU hogs at load 14 on two cores), so
 * an answer that let the request through and took longer than the read's budget says nothing about
 * the list, and is asked again. A refusal, or a pass that came in time, is returned as it is: a
 * revocation that was never written still fails the test.
 *
 * @example
 * const after = await strictVerdict(
 *   () => call(app.protect, '/dashboard', { jar, headers: DOCUMENT }),
 *   passes,
 * );
 * expect(after.status).toBe(307);
 */
export async function strictVerdict<T>(
  ask: () => Promise<T>,
  letThrough: (answer: T) => boolean,
): Promise<T> {
  for (;;) {
    const started = performance.now();
    const answer = await ask();
    const inTime = performance.now() - started < REVOCATION_READ_TIMEOUT_MS;
    if (inTime || !letThrough(answer)) return answer;
  }
}

/**
 * {@link strictVerdict} for a page load of a revoked session: asks until strict revocation answers,
 * and expects the middleware to have logged that refusal once, as a revocation (never an outage).
 *
 * @example
 * const after = await revokedRefusal(() => call(app.protect, '/dashboard', { jar, headers: DOCUMENT }));
 * expect(after.status).toBe(303);
 */
export async function revokedRefusal(ask: () => Promise<Response>): Promise<Response> {
  const { result, lines } = await captureAuthLog(() => strictVerdict(ask, passes));
  expect(lines).toEqual([
    expect.objectContaining({
      code: 'unauthenticated',
      kind: 'document',
      detail: 'the session was revoked',
    }),
  ]);
  return result;
}
