import Link from 'next/link';

export default function SignOutPage() {
  return (
    <>
      <h1>Sign out?</h1>
      <p>This ends your session here and at Scalekit.</p>
      <form action="/logout" method="post">
        <button type="submit">Sign out</button>
      </form>
      <p>
        <Link href="/dashboard">Stay signed in</Link>
      </p>
    </>
  );
}
