import { importJWK, type JWK } from 'jose';
import { ask, parseJson } from './http';
import type { CheckResult } from './report';

/**
 * Fetches `<SCALEKIT_ENV_URL>/keys`, where the app finds the key of every token by `kid`, and
 * counts the keys it could use: RSA signing keys with a `kid` that import as RS256.
 *
 * @example
 * const result = await checkKeys('https://acme.scalekit.com', 5000);
 */
export async function checkKeys(envUrl: string, timeoutMs: number): Promise<CheckResult> {
  const url = `${envUrl}/keys`;
  const outcome = await ask(new URL(url), {}, timeoutMs);
  if ('unreachable' in outcome) return fail(`${url} ${outcome.unreachable}`);
  const { answer } = outcome;
  const keys = (parseJson(answer) as { keys?: unknown } | undefined)?.keys;
  if (answer.status !== 200 || !Array.isArray(keys)) {
    return fail(`${url} answered HTTP ${answer.status}, not a key set`);
  }
  const kids: string[] = [];
  for (const key of keys as JWK[]) {
    if (await usable(key)) kids.push(key.kid!);
  }
  if (kids.length === 0) {
    return fail(`${url} has no RS256 signing key with a kid, so no token could be verified`);
  }
  return {
    id: 'keys',
    status: 'pass',
    summary: `${url} serves ${kids.length === 1 ? 'an RS256 key' : `${kids.length} RS256 keys`} with ${kids.length === 1 ? 'a kid' : 'kids'} (${kids.map(printable).join(', ')})`,
  };
}

/** A kid as printed: the provider's text, so anything but plain ASCII is not shown. */
function printable(kid: string): string {
  return /^[\x21-\x7e]{1,64}$/.test(kid) ? kid : '(unprintable kid)';
}

async function usable(key: JWK): Promise<boolean> {
  if (typeof key !== 'object' || key === null) return false;
  if (typeof key.kid !== 'string' || key.kid === '' || key.kty !== 'RSA') return false;
  if ((key.alg ?? 'RS256') !== 'RS256' || (key.use ?? 'sig') !== 'sig') return false;
  try {
    await importJWK(key, 'RS256');
    return true;
  } catch {
    return false;
  }
}

function fail(summary: string): CheckResult {
  return {
    id: 'keys',
    status: 'fail',
    summary,
    fix: 'Check that SCALEKIT_ENV_URL is the environment URL from Dashboard > Developers > API Credentials: the app verifies tokens against its /keys.',
  };
}
