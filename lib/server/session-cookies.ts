import 'server-only';
import type { EdgeConfig } from '@/lib/edge/config';
import {
  deleteSessionCookie,
  writeSessionCookie,
  type CookieSink,
  type CookieSource,
} from '@/lib/edge/session-cookies';

type Config = Pick<EdgeConfig, 'secureCookies' | 'sessionSecrets' | 'sessionMaxAgeSeconds'>;

/** Tokens as they arrive from a code exchange or a refresh (a refresh brings no ID token). */
export interface SessionTokens {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
}

/** Seals and writes every token given, each in its own cookie, in one response. */
export async function setSessionCookies(
  sink: CookieSink,
  tokens: SessionTokens,
  config: Config,
  existing?: CookieSource,
): Promise<void> {
  await writeSessionCookie(sink, 'access', tokens.accessToken, config, existing);
  if (tokens.refreshToken) {
    await writeSessionCookie(sink, 'refresh', tokens.refreshToken, config, existing);
  }
  if (tokens.idToken) await writeSessionCookie(sink, 'id', tokens.idToken, config, existing);
}

/** Expires every session cookie, the path-scoped refresh cookie on its own path. */
export function clearSessionCookies(
  sink: CookieSink,
  config: Config,
  existing?: CookieSource,
): void {
  for (const kind of ['access', 'refresh', 'id'] as const) {
    deleteSessionCookie(sink, kind, config, existing);
  }
}
