export const dynamic = 'force-dynamic';

/** The protected page: inside every variant's matcher (`/dashboard/:path*`). */
export default function ProtectedPage() {
  return (
    <>
      <h1>Protected page</h1>
      <p>Rendered at {new Date().toISOString()}.</p>
    </>
  );
}
