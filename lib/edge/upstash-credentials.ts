import { AuthError } from './errors';

type Env = Readonly<Record<string, string | undefined>>;

/** Checked in order; the second pair is what Vercel's Upstash integration sets. */
const CREDENTIAL_VARIABLES = [
  { url: 'UPSTASH_REDIS_REST_URL', token: 'UPSTASH_REDIS_REST_TOKEN' },
  { url: 'KV_REST_API_URL', token: 'KV_REST_API_TOKEN' },
] as const;

const EXAMPLE_URL = 'https://eu1-example-12345.upstash.io';
const EXAMPLE_TOKEN = '<REST token from the Upstash console>';

/**
 * The Upstash REST URL and token from `UPSTASH_REDIS_REST_URL` / `UPSTASH_REDIS_REST_TOKEN`, else
 * Vercel's `KV_REST_API_URL` / `KV_REST_API_TOKEN`; null when neither pair is set. Throws an
 * {@link AuthError} `config_invalid` naming the variable when only half of a pair is set or the
 * URL is not https (plain http is allowed on loopback, for local endpoints).
 *
 * @example
 * const upstash = readUpstashCredentials(process.env); // { url, token } | null
 */
export function readUpstashCredentials(env: Env): { url: string; token: string } | null {
  for (const variables of CREDENTIAL_VARIABLES) {
    // Values pasted into a dashboard often carry a trailing newline; it would break the header.
    const url = env[variables.url]?.trim();
    const token = env[variables.token]?.trim();
    if (!url && !token) continue;
    if (!url)
      throw invalid(variables.url, `is missing while ${variables.token} is set`, EXAMPLE_URL);
    if (!token) {
      throw invalid(variables.token, `is missing while ${variables.url} is set`, EXAMPLE_TOKEN);
    }
    checkUrl(variables.url, url);
    return { url, token };
  }
  return null;
}

function checkUrl(variable: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(variable, 'is not a URL', EXAMPLE_URL);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw invalid(variable, 'must use https (plain http only on loopback)', EXAMPLE_URL);
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function invalid(variable: string, problem: string, example: string): AuthError {
  return new AuthError('config_invalid', `${variable} ${problem}. Example: ${variable}=${example}`);
}
