/**
 * Every failure the auth layer reports, with the HTTP status it is answered with and the sentence a
 * person is shown. Codes are stable: they reach URLs (`/auth/error?code=…`), JSON bodies
 * (`{"error":"…"}`) and logs, so renaming one is a breaking change. The README lists them all.
 */
export const AUTH_ERRORS = {
  unauthenticated: { status: 401, message: 'You need to sign in.' },
  token_expired: { status: 401, message: 'Your session needs to be renewed.' },
  token_invalid: { status: 401, message: 'The session could not be verified.' },
  forbidden: { status: 403, message: 'Your account does not have the role this needs.' },
  insufficient_scope: { status: 403, message: 'This token does not carry the scope this needs.' },
  step_up_required: {
    status: 401,
    message: 'Please sign in again to continue: this needs a recent sign-in.',
  },
  cross_site_request: { status: 403, message: 'This request did not come from this site.' },
  invalid_request: { status: 400, message: 'The request was malformed.' },
  state_mismatch: {
    status: 400,
    message: 'This sign-in link does not belong to this browser session, or was already used.',
  },
  transaction_missing: {
    status: 400,
    message: 'Your sign-in took too long or was started in another browser.',
  },
  access_denied: {
    status: 403,
    message: 'Access was denied. Your account may not be allowed to use this app.',
  },
  provider_error: { status: 502, message: 'The sign-in provider reported a problem.' },
  exchange_failed: { status: 502, message: 'We could not complete the sign-in with Scalekit.' },
  id_token_invalid: {
    status: 502,
    message: 'The identity returned by Scalekit could not be verified.',
  },
  full_stack_auth_required: {
    status: 502,
    message:
      'This app needs Scalekit Full Stack Auth, but the Scalekit environment issued a Modular SSO token. An administrator can turn on Full Stack Auth in the Scalekit dashboard.',
  },
  clock_skew: {
    status: 502,
    message:
      "Scalekit sent a sign-in that had already expired on arrival: this server's clock may be wrong. Please try again later.",
  },
  session_revoked: {
    status: 401,
    message: 'This session had already been signed out. Please sign in again.',
  },
  cookies_disabled: {
    status: 400,
    message:
      'Your browser did not keep the sign-in cookie. Allow cookies for this site, then sign in again.',
  },
  auth_hook_failed: {
    status: 500,
    message: 'We could not finish signing you in. Please try again.',
  },
  refresh_failed: { status: 401, message: 'Your session has ended.' },
  refresh_unavailable: {
    status: 503,
    message: 'Your session could not be renewed just now. You are still signed in.',
  },
  webhook_unverified: { status: 401, message: 'The webhook signature did not verify.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  webhook_in_progress: {
    status: 409,
    message: 'This webhook is being processed already; it will be retried.',
  },
  webhook_hook_failed: {
    status: 500,
    message: 'The webhook was received but could not be processed; it will be retried.',
  },
  jwks_unavailable: { status: 503, message: 'Sign-in is temporarily unavailable.' },
  store_unavailable: { status: 503, message: 'Sign-in is temporarily unavailable.' },
  config_invalid: { status: 500, message: 'Sign-in is not configured correctly on this server.' },
  rate_limited: { status: 429, message: 'Too many requests. Please wait a moment and try again.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type AuthErrorCode = keyof typeof AUTH_ERRORS;

/** Every code, in the order above. */
export const AUTH_ERROR_CODES = Object.keys(AUTH_ERRORS) as AuthErrorCode[];

/** True when `value` is one of the {@link AuthErrorCode}s (e.g. a `?error=` from a URL). */
export function isAuthErrorCode(value: unknown): value is AuthErrorCode {
  return typeof value === 'string' && Object.hasOwn(AUTH_ERRORS, value);
}

/**
 * The one error type of the auth layer. Branch on `code`, never on `message`: messages are for
 * developers and logs and may name configuration, but never carry tokens or provider text.
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
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * Marks every AuthError, so one thrown by another copy of this module (a bundle of its own, your
 * hook's import) is still recognised: `instanceof` only sees this copy's class.
 */
const BRAND = Symbol.for('scalekit-nextjs.AuthError');

/** True for an {@link AuthError}, optionally of one of the given codes. */
export function isAuthError(err: unknown, ...codes: AuthErrorCode[]): err is AuthError {
  const branded = err instanceof AuthError || (err instanceof Error && BRAND in err);
  if (!branded || !isAuthErrorCode((err as AuthError).code)) return false;
  return codes.length === 0 || codes.includes((err as AuthError).code);
}
