export default function SignedOutPage() {
  return (
    <>
      <h1>You are signed out</h1>
      <p>Your session has ended on this device.</p>
      <p>
        <a className="button" href="/login">
          Sign in
        </a>
      </p>
    </>
  );
}
