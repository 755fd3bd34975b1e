import { isAuthErrorCode } from '@/lib/edge/errors';

/**
 * What a call came to: `'ok'`, the auth error code it failed with, or `unexpected: …` for any
 * other failure (a jose error escaping, say). Reads the code rather than `instanceof AuthError`,
 * so it also works for errors from a fresh copy of the modules (`vi.resetModules()`).
 *
 * @example
 * expect(await outcome(verifyAccessToken(token))).toBe('token_expired');
 */
export function outcome(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'ok',
    (err: unknown) => {
      const code = (err as { code?: unknown } | null)?.code;
      const named = err instanceof Error && /^(Auth|Store)Error$/.test(err.name);
      return named && isAuthErrorCode(code) ? code : `unexpected: ${String(err)}`;
    },
  );
}
