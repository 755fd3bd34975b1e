/** The protected API route: inside every variant's matcher (`/api/protected/:path*`). */
export function GET() {
  return Response.json({ at: Date.now() }, { headers: { 'Cache-Control': 'no-store' } });
}
