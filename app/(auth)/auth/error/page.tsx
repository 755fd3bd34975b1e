import { SignInLink } from '@/app/(auth)/_components/sign-in-link';
import { AUTH_ERRORS, isAuthErrorCode } from '@/lib/edge/errors';

export default async function SignInErrorPage({
  searchParams,
}: {
  searchParams: Promise<{ code?: string | string[] }>;
}) {
  const { code } = await searchParams;
  // Only a known code is shown: the query string is the visitor's to edit.
  const known = isAuthErrorCode(code) ? code : null;
  return (
    <>
      <h1>Sign-in did not complete</h1>
      <p className="error" role="alert">
        {known ? AUTH_ERRORS[known].message : 'Something went wrong while signing you in.'}
      </p>
      <p>
        <small>Error code: {known ?? 'unknown'}</small>
      </p>
      <p>
        <SignInLink>Sign in again</SignInLink>
      </p>
    </>
  );
}
