import { AuthError } from './errors';
import { readUpstashCredentials } from './upstash-credentials';

/** What the Edge (and everything else) needs to verify and seal sessions. No secrets for Scalekit. */
export interface EdgeConfig {
  /** Scalekit environment URL, no trailing slash: it is the `iss` of every token. */
  readonly envUrl: string;
  readonly clientId: string;
  /** The app's own origin, e.g. `https://app.example.com`. */
  readonly appUrl: string;
  /** Newest first: the first seals, all open (rotation). */
  readonly sessionSecrets: readonly string[];
  /** Cookies get `Secure` and the `__Host-` prefix whenever the app is served over https. */
  readonly secureCookies: boolean;
  /** How long session cookies live; Scalekit's own session timeouts still bound refresh. */
  readonly sessionMaxAgeSeconds: number;
  /** Verified-session cache: entries and bytes per isolate (0 turns it off), how long one is trusted. */
  readonly sessionCacheMaxEntries: number;
  readonly sessionCacheMaxBytes: number;
  readonly sessionCacheMaxAgeSeconds: number;
  /** Upstash REST credentials, when configured (the store and the revocation reader use them). */
  readonly upstash: { readonly url: string; readonly token: string } | null;
  /** `strict`: the middleware also checks the revocation list. */
  readonly revocation: 'off' | 'strict';
  /** What `strict` does when the store cannot answer. */
  readonly revocationOnStoreError: 'allow' | 'deny';
  /**
   * The `aud` machine callers' bearer tokens must carry (the audience your M2M clients are
   * registered with); bearer tokens are refused while it is unset.
   */
  readonly apiAudience: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

const MIN_SECRET_BYTES = 32;

function invalid(variable: string, problem: string, example: string): AuthError {
  return new AuthError('config_invalid', `${variable} ${problem}. Example: ${variable}=${example}`);
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function required(env: Env, variable: string, example: string): string {
  const value = env[variable]?.trim();
  if (!value) throw invalid(variable, 'is missing', example);
  return value;
}

function readEnvUrl(env: Env): string {
  const example = 'https://acme.scalekit.com';
  const raw = required(env, 'SCALEKIT_ENV_URL', example);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('SCALEKIT_ENV_URL', 'is not a URL', example);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw invalid('SCALEKIT_ENV_URL', 'must use https (plain http only on loopback)', example);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw invalid('SCALEKIT_ENV_URL', 'must not carry a query, fragment or credentials', example);
  }
  // Scalekit's `iss` has no trailing slash; comparing against a normalised value keeps a
  // copy-pasted "https://acme.scalekit.com/" from failing every token.
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/**
 * The app's origin from `APP_URL`, or on Vercel from its system variables. Throws `config_invalid`.
 *
 * @example
 * readAppUrl({ APP_URL: 'https://app.example.com/' }); // "https://app.example.com"
 */
export function readAppUrl(env: Env): string {
  const example = 'https://app.example.com';
  const raw = env.APP_URL?.trim() || vercelUrl(env);
  if (!raw) throw invalid('APP_URL', 'is missing', example);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('APP_URL', 'is not an absolute URL', example);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid('APP_URL', 'must be an http(s) origin', example);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username) {
    throw invalid('APP_URL', 'must be an origin only (no path, query or fragment)', example);
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw invalid('APP_URL', 'must use https (plain http only on loopback)', example);
  }
  return url.origin;
}

/**
 * On Vercel, an unset APP_URL falls back to the system variables so preview deployments work
 * without per-branch configuration: production uses the production domain, previews their own.
 */
function vercelUrl(env: Env): string | undefined {
  const host =
    env.VERCEL_ENV === 'production'
      ? env.VERCEL_PROJECT_PRODUCTION_URL || env.VERCEL_URL
      : env.VERCEL_BRANCH_URL || env.VERCEL_URL;
  return host ? `https://${host}` : undefined;
}

function readSecrets(env: Env): string[] {
  const example = '$(openssl rand -base64 32)';
  const raw = required(env, 'SESSION_COOKIE_SECRET', example);
  const secrets = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const utf8 = new TextEncoder();
  secrets.forEach((secret, index) => {
    const which = secrets.length > 1 ? ` (entry ${index + 1})` : '';
    if (utf8.encode(secret).byteLength < MIN_SECRET_BYTES) {
      throw invalid(
        'SESSION_COOKIE_SECRET',
        `must be at least ${MIN_SECRET_BYTES} bytes${which}`,
        example,
      );
    }
    if (looksGuessable(secret)) {
      throw invalid(
        'SESSION_COOKIE_SECRET',
        `looks guessable${which}: use 32 random bytes, not words, a passphrase or a pattern`,
        example,
      );
    }
  });
  if (secrets.length === 0) throw invalid('SESSION_COOKIE_SECRET', 'is missing', example);
  return secrets;
}

/**
 * The least a secret must score. Random secrets score far more: `openssl rand -base64 32` about
 * 190 or more, `openssl rand -hex 32` about 220 or more; a secret's key id (and any cookie) lets
 * anyone test guesses offline, so a guessable one is refused.
 */
const MIN_SECRET_ENTROPY_BITS = 120;

/**
 * True for a secret that is plainly not the output of a random generator: a passphrase (it has
 * spaces), a repeated pattern (`abcabc…`, `0123…0123…`: few distinct three-character windows), or
 * too little variety (its length times the Shannon entropy of its characters below
 * {@link MIN_SECRET_ENTROPY_BITS}: `aaaa…` scores 0). A long passphrase without spaces can still
 * pass: this refuses the common mistakes, it cannot prove randomness.
 */
function looksGuessable(secret: string): boolean {
  const chars = [...secret];
  if (/\s/.test(secret)) return true;
  const windows = new Set(chars.slice(2).map((_, i) => chars.slice(i, i + 3).join('')));
  if (windows.size / (chars.length - 2) < 0.75) return true;
  const counts = new Map<string, number>();
  for (const char of chars) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) bits -= count * Math.log2(count / chars.length);
  return bits < MIN_SECRET_ENTROPY_BITS;
}

function readChoice<T extends string>(
  env: Env,
  variable: string,
  choices: readonly T[],
  fallback: T,
): T {
  const value = env[variable]?.trim();
  if (!value) return fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw invalid(variable, `must be one of ${choices.join(', ')}`, choices[choices.length - 1]!);
  }
  return value as T;
}

function readSeconds(env: Env, variable: string, fallback: number, min: number): number {
  const value = env[variable]?.trim();
  if (!value) return fallback;
  if (!/^\d{1,9}$/.test(value) || Number(value) < min) {
    throw invalid(variable, `must be a whole number of seconds, at least ${min}`, String(fallback));
  }
  return Number(value);
}

function readCount(env: Env, variable: string, fallback: number): number {
  const value = env[variable]?.trim();
  if (!value) return fallback;
  if (!/^\d{1,10}$/.test(value)) {
    throw invalid(variable, 'must be a whole number (0 turns it off)', String(fallback));
  }
  return Number(value);
}

/**
 * Reads and validates the Edge configuration from an environment object. Throws an
 * {@link AuthError} `config_invalid` whose message names the variable and shows a valid example.
 *
 * @example
 * const config = readEdgeConfig(process.env);
 * config.envUrl; // "https://acme.scalekit.com"
 */
export function readEdgeConfig(env: Env): EdgeConfig {
  const appUrl = readAppUrl(env);
  const revocation = readChoice(env, 'SESSION_REVOCATION', ['off', 'strict'], 'off');
  const upstash = readUpstashCredentials(env);
  if (revocation === 'strict' && upstash === null) {
    // The middleware runs in its own isolate: it would never see revocations kept in memory.
    throw invalid(
      'SESSION_REVOCATION',
      'strict needs Upstash Redis (UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN)',
      'off',
    );
  }
  return {
    envUrl: readEnvUrl(env),
    clientId: required(env, 'SCALEKIT_CLIENT_ID', 'skc_1234567890'),
    appUrl,
    sessionSecrets: readSecrets(env),
    secureCookies: appUrl.startsWith('https:'),
    sessionMaxAgeSeconds: readSeconds(env, 'SESSION_MAX_AGE_SECONDS', 7 * 24 * 3600, 60),
    sessionCacheMaxEntries: readCount(env, 'SESSION_CACHE_MAX_ENTRIES', 10_000),
    sessionCacheMaxBytes: readCount(env, 'SESSION_CACHE_MAX_BYTES', 4 * 1024 * 1024),
    sessionCacheMaxAgeSeconds: readSeconds(env, 'SESSION_CACHE_MAX_AGE_SECONDS', 60, 1),
    upstash,
    revocation,
    revocationOnStoreError: readChoice(
      env,
      'SESSION_REVOCATION_ON_STORE_ERROR',
      ['allow', 'deny'],
      'allow',
    ),
    apiAudience: env.SCALEKIT_API_AUDIENCE?.trim() || undefined,
  };
}

let cached: EdgeConfig | undefined;

/** The process's configuration, validated on first use and then kept. */
export function edgeConfig(): EdgeConfig {
  cached ??= readEdgeConfig(process.env);
  return cached;
}
