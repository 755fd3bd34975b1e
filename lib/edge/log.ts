import type { AuthErrorCode } from './errors';
import type { RequestKind } from './request-kind';

export interface AuthFailure {
  readonly code: AuthErrorCode;
  /** The path that failed, without its query (which can carry codes and states). */
  readonly route: string;
  readonly kind: RequestKind;
  /** Our own message for developers (never a token, cookie, secret or provider text). */
  readonly detail?: string;
}

/**
 * Writes one structured line per auth failure, for log search and alerts:
 * `{"event":"auth_failure","code":"token_expired","route":"/dashboard","kind":"document"}`.
 * Only the fields above are written, so nothing from the request (cookies, tokens, the query
 * string) can reach the log.
 *
 * @example
 * logAuthFailure({ code: 'forbidden', route: '/api/protected/admin', kind: 'api' });
 */
export function logAuthFailure(failure: AuthFailure): void {
  const { code, route, kind, detail } = failure;
  const level = code === 'config_invalid' ? 'error' : 'warn';
  const line = JSON.stringify({
    event: 'auth_failure',
    level,
    code,
    route,
    kind,
    ...(detail === undefined ? {} : { detail }),
  });
  if (level === 'error') console.error(line);
  else console.warn(line);
}
