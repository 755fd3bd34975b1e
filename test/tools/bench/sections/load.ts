import type { RequestOptions } from 'autocannon';
import { DOCUMENT_HEADERS } from '../support/document-headers';
import { load, type LoadRun } from '../support/load';
import type { AppServer } from '../support/next-app';

export interface LoadResult {
  seconds: number;
  totalRequests: number;
  connections: number;
  sessions: number;
  routes: string[];
  instances: Array<{ name: string; run: LoadRun; rssBeforeMiB: number; rssAfterMiB: number }>;
  /** Non-2xx answers plus socket errors and timeouts, over both instances. */
  errors: number;
}

/**
 * Section 5: `seconds` of requests at `connections` connections, split evenly over the instances
 * (which share one Upstash), cycling through protected routes; each request carries one of the
 * `cookies` (distinct signed-in sessions) at random. Bounded by time, not by a count, so that a
 * busy shared machine cannot stretch the whole bench past its 10 minutes.
 */
export async function loadTest(
  apps: AppServer[],
  cookies: string[],
  seconds: number,
  connections: number,
): Promise<LoadResult> {
  const pick = () => cookies[Math.floor(Math.random() * cookies.length)]!;
  const withSession = (request: RequestOptions): RequestOptions => ({
    ...request,
    headers: { ...request.headers, cookie: pick() },
  });
  const routes: RequestOptions[] = [
    { method: 'GET', path: '/api/protected/health', headers: {}, setupRequest: withSession },
    { method: 'GET', path: '/api/protected/me', headers: {}, setupRequest: withSession },
    { method: 'GET', path: '/dashboard', headers: DOCUMENT_HEADERS, setupRequest: withSession },
  ];
  const rssBefore = apps.map((app) => app.rssMiB());
  const runs = await Promise.all(
    apps.map((app) =>
      load(
        { label: app.name, url: app.url, requests: routes },
        {
          connections: Math.round(connections / apps.length),
          duration: seconds,
        },
      ),
    ),
  );
  const instances = apps.map((app, i) => ({
    name: app.name,
    run: runs[i]!,
    rssBeforeMiB: rssBefore[i]!,
    rssAfterMiB: app.rssMiB(),
  }));
  return {
    seconds,
    totalRequests: runs.reduce((sum, run) => sum + run.requests, 0),
    connections,
    sessions: cookies.length,
    routes: routes.map((route) => route.path!),
    instances,
    errors: runs.reduce((sum, run) => sum + run.non2xx + run.errors, 0),
  };
}
