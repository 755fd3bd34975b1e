/**
 * Every failure the auth layer reports. Codes are stable: they reach URLs (`/login?error=…`),
 * JSON bodies and logs, so renaming one is a breaking change.
 */
export type AuthErrorCode =
  | 'config_invalid'
  | 'token_expired'
  | 'token_invalid'
  | 'jwks_unavailable'
  | 'unauthenticated'
  | 'forbidden'
  | 'state_mismatch'
  | 'transaction_missing'
  | 'provider_error'
  | 'access_denied'
  | 'exchange_failed'
  | 'id_token_invalid'
  | 'refresh_failed'
  | 'refresh_unavailable'
  | 'cross_site_request'
  | 'store_unavailable';

/**
 * The one error type of the auth layer. Branch on `code`, never on `message`: messages are for
 * developers and may name configuration, but never carry tokens or provider text.
 *
 * @example
 * try {
 *   await verifyAccessToken(token);
 * } catch (err) {
 *   if (err instanceof AuthError && err.code === 'token_expired') return refresh();
 *   throw err;
 * }
 */
export class AuthError extends Error {
  override readonly name: string = 'AuthError';
  readonly code: AuthErrorCode;

  constructor(code: AuthErrorCode, message: string = code, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True for an {@link AuthError}, optionally of one of the given codes. */
export function isAuthError(err: unknown, ...codes: AuthErrorCode[]): err is AuthError {
  return err instanceof AuthError && (codes.length === 0 || codes.includes(err.code));
}
