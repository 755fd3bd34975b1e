/**
 * What the browser is asking for, from what Next 16 middleware can see (it strips `RSC` and
 * `Next-Router-Prefetch` before middleware runs):
 * - `document`: a full page load (`Sec-Fetch-Mode: navigate`, or no such header at all);
 * - `action`: a Server Action (`POST` with `Next-Action`);
 * - `api`: anything under `/api/`;
 * - `rsc`: any other request for a page — a `<Link>` navigation or a prefetch, which look the same.
 */
export type RequestKind = 'document' | 'action' | 'api' | 'rsc';

export interface RequestLike {
  readonly method: string;
  readonly headers: Headers;
  readonly nextUrl: { readonly pathname: string };
}

export function requestKind(request: RequestLike): RequestKind {
  if (request.method === 'POST' && request.headers.has('next-action')) return 'action';
  if (request.nextUrl.pathname === '/api' || request.nextUrl.pathname.startsWith('/api/')) {
    return 'api';
  }
  const mode = request.headers.get('sec-fetch-mode');
  return mode === null || mode === 'navigate' ? 'document' : 'rsc';
}

/** Prefetch hints that survive to middleware (Next strips `Next-Router-Prefetch` itself). */
export function isPrefetch(headers: Headers): boolean {
  return (
    headers.has('next-router-prefetch') ||
    headers.get('purpose') === 'prefetch' ||
    (headers.get('sec-purpose') ?? '').includes('prefetch')
  );
}
