// Rendered on every request, as the protected page is, so the two cost the same to render.
export const dynamic = 'force-dynamic';

/** The public page: outside every variant's matcher. */
export default function PublicPage() {
  return (
    <>
      <h1>Public page</h1>
      <p>Rendered at {new Date().toISOString()}.</p>
    </>
  );
}
