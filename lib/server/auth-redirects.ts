import 'server-only';
import { NextResponse } from 'next/server';
import type { AuthErrorCode } from '@/lib/edge/errors';

/** Codes a person may see on the sign-in error page; anything else shows as `unknown`. */
export const SIGN_IN_ERROR_CODES = [
  'access_denied',
  'provider_error',
  'state_mismatch',
  'transaction_missing',
  'exchange_failed',
  'id_token_invalid',
  'token_invalid',
  'refresh_failed',
  'invalid_request',
  'jwks_unavailable',
] as const satisfies readonly (AuthErrorCode | 'invalid_request')[];

export type SignInErrorCode = (typeof SIGN_IN_ERROR_CODES)[number];

/** A no-store 303 to the sign-in error page showing `code`. */
export function signInError(origin: string, code: SignInErrorCode): NextResponse {
  return noStore(NextResponse.redirect(new URL(`/auth/error?code=${code}`, origin), 303));
}

export function noStore<T extends Response>(response: T): T {
  response.headers.set('Cache-Control', 'private, no-store');
  return response;
}
