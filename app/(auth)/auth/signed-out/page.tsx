import { SignInLink } from '@/app/(auth)/_components/sign-in-link';
import { AnnounceSignOut } from './announce-sign-out';

export default function SignedOutPage() {
  return (
    <>
      <AnnounceSignOut />
      <h1>You are signed out</h1>
      <p>Your session has ended on this device.</p>
      <p>
        <SignInLink />
      </p>
    </>
  );
}
