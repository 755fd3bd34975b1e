import Link from 'next/link';
import { requireRole } from '@/lib/server/guards';

export default async function AdminPage() {
  // Signed in without the role: a real 403 page (app/forbidden.tsx), never a sign-in loop.
  const { claims } = await requireRole('admin', { returnTo: '/dashboard/admin' });
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
