import { SignInLink } from '@/app/_components/sign-in-link';

export default function SignedOutPage() {
  return (
    <>
      <h1>You are signed out</h1>
      <p>Your session has ended on this device.</p>
      <p>
        <SignInLink />
      </p>
    </>
  );
}
