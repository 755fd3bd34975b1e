import { expect } from 'vitest';

/**
 * Captures what the app writes to `console.warn` and `console.error` while `run` runs, so a test
 * that provokes a logged failure asserts that line and the run stays quiet. The auth layer's
 * one-line JSON (`auth_failure`, `auth_notice`, `management_failure`) comes back parsed; a plain
 * line (the in-memory store's warning, the refresh-coordination notice) as `{ text }`.
 *
 * @example
 * const { result, lines } = await captureAuthLog(() => call(route, '/x'));
 * expect(lines).toEqual([expect.objectContaining({ code: 'webhook_unverified' })]);
 */
export async function captureAuthLog<T>(
  run: () => Promise<T>,
): Promise<{ result: T; lines: Array<Record<string, unknown>> }> {
  const lines: Array<Record<string, unknown>> = [];
  const record = (line: unknown) => {
    lines.push(parsed(String(line)));
  };
  // Swapped by hand rather than with vi.spyOn: restoring a spy would also remove one the test set
  // around this call (spying on a spied method reuses it), and lose what that spy recorded next.
  const { warn, error } = console;
  console.warn = record;
  console.error = record;
  try {
    return { result: await run(), lines };
  } finally {
    console.warn = warn;
    console.error = error;
  }
}

function parsed(line: string): Record<string, unknown> {
  if (!line.startsWith('{')) return { text: line };
  return JSON.parse(line) as Record<string, unknown>;
}

/**
 * What one logged failure must say (its code, route and detail), as an element of the `lines` that
 * {@link captureAuthLog} returns.
 *
 * @example
 * expect(lines).toEqual([loggedFailure('unauthenticated', '/dashboard', 'no session cookie opens')]);
 */
export function loggedFailure(code: string, route: string, detail: string): unknown {
  return expect.objectContaining({ code, route, detail });
}
