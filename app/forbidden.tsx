import Link from 'next/link';

export default function Forbidden() {
  return (
    <>
      <h1>403 — Not allowed</h1>
      <p>Your account does not have the role this page needs.</p>
      <p>
        <Link href="/dashboard">Back to the dashboard</Link>
      </p>
    </>
  );
}
