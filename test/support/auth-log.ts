import { vi } from 'vitest';

/**
 * Captures the auth layer's one-line JSON log (`auth_failure`, `auth_notice`) while `run` runs,
 * so a test that provokes a logged failure asserts that line and the run stays quiet.
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
    lines.push(JSON.parse(String(line)) as Record<string, unknown>);
  };
  const warn = vi.spyOn(console, 'warn').mockImplementation(record);
  const error = vi.spyOn(console, 'error').mockImplementation(record);
  try {
    return { result: await run(), lines };
  } finally {
    warn.mockRestore();
    error.mockRestore();
  }
}
