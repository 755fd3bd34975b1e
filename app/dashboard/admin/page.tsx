import Link from 'next/link';
import { forbidden } from 'next/navigation';
import { hasRole } from '@/lib/edge/access-token';
import { requireSession } from '@/lib/server/session';

export default async function AdminPage() {
  const { claims } = await requireSession('/dashboard/admin');
  // Signed in but not allowed: a 403 page. Sending a member back to sign-in would loop.
  if (!hasRole(claims, 'admin')) forbidden();
  return (
    <>
      <h1>Admin area</h1>
      <p>You hold the admin role in {claims.oid ?? 'your organization'}.</p>
      <p>
        <Link href="/dashboard">Back to the dashboard</Link>
      </p>
    </>
  );
}
