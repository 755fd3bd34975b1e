import type { EdgeConfig } from '../../edge/config';
import { cookieName, cookieOptions, type SessionCookie } from '../../edge/session-cookies';
import { otherLoopbackOrigin } from './loopback';
import type { CheckResult } from './report';

const KINDS: readonly SessionCookie[] = ['access', 'id', 'transaction', 'refresh'];

/**
 * The session cookies `APP_URL` leads to, named and flagged by the app's own cookie code, and a
 * note for loopback hosts: browsers keep `localhost` and `127.0.0.1` in separate cookie jars, so a
 * sign-in started on one comes back without its transaction cookie on the other. (An http
 * `APP_URL` outside loopback never gets here: the configuration check refuses it.)
 *
 * @example
 * checkCookies({ appUrl: 'https://app.example.com', secureCookies: true }).summary;
 * // "https://app.example.com: __Host-sk_access, … each HttpOnly; Secure; SameSite=Lax"
 */
export function checkCookies({
  appUrl,
  secureCookies,
}: Pick<EdgeConfig, 'appUrl' | 'secureCookies'>): CheckResult {
  const config = { secureCookies, sessionMaxAgeSeconds: 0 };
  const byPath = new Map<string, string[]>();
  for (const kind of KINDS) {
    const { path } = cookieOptions(kind, config);
    byPath.set(path, [...(byPath.get(path) ?? []), cookieName(kind, config)]);
  }
  const names = [...byPath]
    .map(([path, list]) => `${list.join(', ')} (Path=${path})`)
    .join(' and ');
  // Every session cookie shares these flags; only the path differs.
  const { httpOnly, secure, sameSite } = cookieOptions('access', config);
  const flags = [
    httpOnly && 'HttpOnly',
    secure ? 'Secure' : 'not Secure (plain http, on this machine only)',
    `SameSite=${sameSite[0]!.toUpperCase()}${sameSite.slice(1)}`,
  ].filter(Boolean);
  return {
    id: 'cookies',
    status: 'pass',
    summary: `${appUrl}: ${names}, each ${flags.join('; ')}${loopbackNote(appUrl)}`,
  };
}

function loopbackNote(appUrl: string): string {
  const other = otherLoopbackOrigin(appUrl);
  if (!other) return '';
  return `; localhost and 127.0.0.1 keep separate cookie jars: open ${appUrl}, not ${other}`;
}
