import { compare, type AbComparison } from '../support/load';
import type { AppServer } from '../support/next-app';

export interface HttpOverheadResult {
  api: AbComparison;
  page: AbComparison;
  revocation: AbComparison;
}

export interface AbPlan {
  rounds: number;
  seconds: number;
  connections: number;
  warmupSeconds: number;
}

/** Request headers of a document navigation, as the middleware classifies them. */
export const DOCUMENT_HEADERS = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
};

/**
 * Section 2: what the middleware costs per request over HTTP, as alternating A/B runs against
 * `next start`: the protected health probe against its twin outside the matcher, `/dashboard`
 * against `/bench-twin` (the same page outside the matcher, in the bench's copy of the app), and
 * strict revocation (one Upstash lookup per request) against none. Every request carries the
 * same valid session cookie.
 */
export async function measureHttpOverhead(
  off: AppServer,
  strict: AppServer,
  cookie: string,
  plan: AbPlan,
): Promise<HttpOverheadResult> {
  const headers = { cookie };
  const api = await compare(
    'API route: protected vs outside the matcher',
    { label: 'GET /api/protected/health', url: `${off.url}/api/protected/health`, headers },
    { label: 'GET /api/health', url: `${off.url}/api/health`, headers },
    plan,
  );
  const page = await compare(
    'Page: protected vs unprotected twin',
    {
      label: 'GET /dashboard',
      url: `${off.url}/dashboard`,
      headers: { ...headers, ...DOCUMENT_HEADERS },
    },
    {
      label: 'GET /bench-twin',
      url: `${off.url}/bench-twin`,
      headers: { ...headers, ...DOCUMENT_HEADERS },
    },
    plan,
  );
  const revocation = await compare(
    'SESSION_REVOCATION=strict vs off (GET /api/protected/health, two instances)',
    { label: 'strict (Upstash lookup)', url: `${strict.url}/api/protected/health`, headers },
    { label: 'off', url: `${off.url}/api/protected/health`, headers },
    plan,
  );
  return { api, page, revocation };
}
