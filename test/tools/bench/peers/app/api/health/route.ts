/** Readiness probe for the bench (support/next-app.ts), outside every variant's matcher. */
export function GET() {
  return Response.json({ ok: true }, { headers: { 'Cache-Control': 'no-store' } });
}
