import {
  createLocalJWKSet,
  createRemoteJWKSet,
  jwksCache,
  type ExportedJWKSCache,
  type JSONWebKeySet,
  type JWSHeaderParameters,
  type FlattenedJWSInput,
  type CryptoKey,
} from 'jose';
import { edgeConfig } from './config';
import { AuthError } from './errors';

/** A JWKS that verifiers use to find a key by `kid`, plus a counter that changes with the keys. */
export interface KeySet {
  (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey>;
  /** Increments whenever a different key set is installed; caches of verified tokens key on it. */
  readonly generation: number;
}

export interface KeySetOptions {
  /** Abort a `/keys` fetch after this long. */
  timeoutMs?: number;
  /** After a fetch, unknown `kid`s fail fast for this long instead of refetching. */
  cooldownMs?: number;
  /** Refetch in the background of a request once the keys are this old. */
  maxAgeMs?: number;
  /** A `{ jwks, uat }` object shared between isolates (jose's `jwksCache`), e.g. kept in Redis. */
  cache?: ExportedJWKSCache;
}

const KEY_DISCOVERY_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'] as const;

/**
 * Creates the key set for `<SCALEKIT_ENV_URL>/keys`. Built on jose's remote JWKS, which shares one
 * fetch between concurrent cold verifies and refetches once per cooldown on an unknown `kid`; this
 * adds two rules jose leaves to the caller:
 *
 * - a failed refetch keeps the keys already held (a warm isolate keeps verifying while Scalekit's
 *   `/keys` is down), while a cold isolate fails closed with `jwks_unavailable`;
 * - keys older than `maxAgeMs` are refreshed in the background, never on a request's time;
 * - keys are found by `kid` only: tokens carrying `jku`, `x5u`, `jwk` or `x5c` are refused before
 *   any lookup, so no header can point verification at another key.
 *
 * @example
 * const keys = createKeySet(new URL('https://acme.scalekit.com/keys'));
 * await jwtVerify(token, keys, { algorithms: ['RS256'] });
 */
export function createKeySet(url: URL, options: KeySetOptions = {}): KeySet {
  const maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
  const cooldownMs = options.cooldownMs ?? 30_000;
  const remote = createRemoteJWKSet(url, {
    timeoutDuration: options.timeoutMs ?? 3_000,
    cooldownDuration: cooldownMs,
    // Age-based refreshes happen below, in the background: jose would make the request wait for
    // them, and fail it when `/keys` is down even though the held keys are still good.
    cacheMaxAge: Infinity,
    ...(options.cache ? { [jwksCache]: options.cache } : {}),
  });

  let generation = 0;
  let seen: JSONWebKeySet | undefined;
  let heldSince = options.cache?.uat ?? 0;
  let nextRefreshAt = 0;
  let fallback: { jwks: JSONWebKeySet; local: ReturnType<typeof createLocalJWKSet> } | undefined;

  const track = () => {
    const current = remote.jwks();
    if (current !== seen) {
      seen = current;
      generation += 1;
      heldSince = Date.now();
    }
  };

  const refreshInBackground = () => {
    const now = Date.now();
    if (!seen || now - heldSince < maxAgeMs || now < nextRefreshAt) return;
    nextRefreshAt = now + cooldownMs;
    remote.reload().then(track, () => undefined);
  };

  const getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    for (const name of KEY_DISCOVERY_HEADERS) {
      if (header[name] !== undefined) {
        throw new AuthError('token_invalid', `token carries a "${name}" header`);
      }
    }
    refreshInBackground();
    try {
      const key = await remote(header, token);
      track();
      return key;
    } catch (err) {
      track();
      if (!isFetchFailure(err)) throw err;
      const held = remote.jwks();
      if (!held)
        throw new AuthError('jwks_unavailable', 'JWKS could not be fetched', { cause: err });
      if (fallback?.jwks !== held) fallback = { jwks: held, local: createLocalJWKSet(held) };
      return fallback.local(header, token);
    }
  };

  return Object.defineProperty(getKey, 'generation', { get: () => generation }) as KeySet;
}

/** Errors from fetching `/keys`, as opposed to a token that matches no key. */
function isFetchFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') {
    return false;
  }
  // jose reports a non-200 or unparsable `/keys` answer as a generic error, a timeout as
  // ERR_JWKS_TIMEOUT, a malformed set as ERR_JWKS_INVALID, and a network failure as fetch's TypeError.
  return (
    code === 'ERR_JOSE_GENERIC' ||
    code === 'ERR_JWKS_TIMEOUT' ||
    code === 'ERR_JWKS_INVALID' ||
    err instanceof TypeError
  );
}

let scalekitKeys: KeySet | undefined;

/** The key set of the configured Scalekit environment (`<SCALEKIT_ENV_URL>/keys`), one per isolate. */
export function scalekitKeySet(): KeySet {
  scalekitKeys ??= createKeySet(new URL(`${edgeConfig().envUrl}/keys`));
  return scalekitKeys;
}
