import { SIGN_IN_ERROR_CODES, type SignInErrorCode } from '@/lib/server/auth-redirects';
import { SignInLink } from '@/app/_components/sign-in-link';

const MESSAGES: Record<SignInErrorCode | 'unknown', string> = {
  access_denied: 'Access was denied. Your account may not be allowed to use this app.',
  provider_error: 'The sign-in provider reported a problem.',
  state_mismatch: 'This sign-in link does not belong to this browser session, or was already used.',
  transaction_missing: 'Your sign-in took too long or was started in another browser.',
  exchange_failed: 'We could not complete the sign-in with Scalekit.',
  id_token_invalid: 'The identity returned by Scalekit could not be verified.',
  token_invalid: 'The session returned by Scalekit could not be verified.',
  refresh_failed: 'Your session has ended.',
  invalid_request: 'The sign-in request was malformed.',
  jwks_unavailable: 'Sign-in is temporarily unavailable.',
  unknown: 'Something went wrong while signing you in.',
};

export default async function SignInErrorPage({
  searchParams,
}: {
  searchParams: Promise<{ code?: string | string[] }>;
}) {
  const { code } = await searchParams;
  const known = SIGN_IN_ERROR_CODES.find((c) => c === code) ?? 'unknown';
  return (
    <>
      <h1>Sign-in did not complete</h1>
      <p className="error" role="alert">
        {MESSAGES[known]}
      </p>
      <p>
        <small>Error code: {known}</small>
      </p>
      <p>
        <SignInLink>Sign in again</SignInLink>
      </p>
    </>
  );
}
