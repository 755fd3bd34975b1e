import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { COPY_DIR } from '../support/app-copy';
import type { AppServer } from '../support/next-app';

export interface MatcherCheck {
  check: string;
  expected: string;
  observed: string;
  ok: boolean;
}

export interface MatcherResult {
  /** The matcher as built into `.next/server/middleware-manifest.json`. */
  source: string;
  checks: MatcherCheck[];
}

/**
 * Shows in the built, running app that `/api/health` is outside the middleware and everything
 * else passes through it: the manifest's matcher regex against the paths, an invalid cookie
 * (401 behind the middleware, 200 outside), and a spoofed `x-auth-sub` (stripped on a matched
 * public path, replaced by the verified subject on a protected one).
 */
export async function checkMatcher(app: AppServer, cookie: string): Promise<MatcherResult> {
  const manifest = JSON.parse(
    await readFile(join(COPY_DIR, '.next/server/middleware-manifest.json'), 'utf8'),
  ) as {
    middleware: Record<string, { matchers: Array<{ regexp: string; originalSource: string }> }>;
  };
  const matchers = Object.values(manifest.middleware).flatMap((entry) => entry.matchers);
  const matched = (path: string) => matchers.some(({ regexp }) => new RegExp(regexp).test(path));
  const checks: MatcherCheck[] = [];
  const record = (check: string, expected: string, observed: string) =>
    checks.push({ check, expected, observed, ok: expected === observed });

  for (const [path, expected] of [
    ['/api/health', false],
    ['/api/protected/health', true],
    ['/dashboard', true],
    ['/bench-twin', false],
    ['/', true],
  ] as const) {
    record(
      `manifest matcher runs the middleware for ${path}`,
      String(expected),
      String(matched(path)),
    );
  }

  const invalid = { cookie: 'sk_access=not-a-sealed-value' };
  const status = async (path: string, headers: Record<string, string>) =>
    String((await fetch(`${app.url}${path}`, { headers, redirect: 'manual' })).status);
  record(
    'invalid cookie → GET /api/protected/health',
    '401',
    await status('/api/protected/health', invalid),
  );
  record('invalid cookie → GET /api/health', '200', await status('/api/health', invalid));
  record(
    'valid cookie → GET /api/protected/health',
    '200',
    await status('/api/protected/health', { cookie }),
  );

  const echo = async (path: string, headers: Record<string, string>) =>
    JSON.stringify(await (await fetch(`${app.url}${path}`, { headers })).json());
  const spoof = { 'x-auth-sub': 'usr_spoofed' };
  record(
    'spoofed x-auth-sub → public matched path (/bench-echo) sees',
    '{}',
    await echo('/bench-echo', spoof),
  );
  const sub = (
    (await (await fetch(`${app.url}/api/protected/me`, { headers: { cookie } })).json()) as {
      sub: string;
    }
  ).sub;
  const seen = JSON.parse(await echo('/api/protected/bench-echo', { ...spoof, cookie })) as Record<
    string,
    string
  >;
  record(
    'spoofed x-auth-sub + valid cookie → protected path sees x-auth-sub',
    sub,
    seen['x-auth-sub'] ?? '(none)',
  );
  return { source: matchers.map((m) => m.originalSource).join(' '), checks };
}
