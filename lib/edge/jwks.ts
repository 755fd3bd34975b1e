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
  /** After a refetch for an unknown `kid`, further unknown kids fail fast for this long. */
  cooldownMs?: number;
  /** Refetch in the background of a request once the keys are this old. */
  maxAgeMs?: number;
  /** A `{ jwks, uat }` object shared between isolates (jose's `jwksCache`), e.g. kept in Redis. */
  cache?: ExportedJWKSCache;
  /** The clock for the cooldown and the keys' age, in milliseconds (tests inject one). */
  now?: () => number;
}

const KEY_DISCOVERY_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'] as const;

/**
 * Creates the key set for `<SCALEKIT_ENV_URL>/keys`. jose's remote JWKS does the fetching (one
 * shared request at a time, a timeout, validation of the set); this decides when to fetch:
 *
 * - a cold isolate fetches once, shared by every concurrent verify; if that fails it fails closed
 *   with `jwks_unavailable`;
 * - an unknown `kid` triggers one refetch (concurrent ones wait for the same request), then a
 *   cooldown in which further unknown kids fail fast without fetching, with `jwks_unavailable`
 *   (transient: the kid may be a key Scalekit rotated in since) — so a key rotation at Scalekit is
 *   picked up without a restart and signs no one out, and a flood of forged kids cannot hammer
 *   `/keys` (at most one fetch per cooldown); only a kid missing from a set fetched for it is
 *   `token_invalid`;
 * - a failed refetch keeps the keys already held: a warm isolate keeps verifying while `/keys`
 *   is down;
 * - keys older than `maxAgeMs` are refreshed in the background, never on a request's time;
 * - keys are found by `kid` only: tokens without one, or carrying `jku`, `x5u`, `jwk` or `x5c`,
 *   are refused before any lookup, so no header can point verification at another key.
 *
 * @example
 * const keys = createKeySet(new URL('https://acme.scalekit.com/keys'));
 * await jwtVerify(token, keys, { algorithms: ['RS256'] });
 */
export function createKeySet(url: URL, options: KeySetOptions = {}): KeySet {
  const maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
  const cooldownMs = options.cooldownMs ?? 30_000;
  const now = options.now ?? (() => Date.now());
  const remote = createRemoteJWKSet(url, {
    timeoutDuration: options.timeoutMs ?? 3_000,
    // Only `reload()` is used: the rules above decide when to fetch.
    cacheMaxAge: Infinity,
    ...(options.cache ? { [jwksCache]: options.cache } : {}),
  });

  let generation = 0;
  let held:
    | { jwks: JSONWebKeySet; kids: Set<unknown>; local: ReturnType<typeof createLocalJWKSet> }
    | undefined;
  let heldSince = options.cache?.uat ?? 0;
  let lastUnknownKidFetch = -Infinity;
  let unknownKidFetch: Promise<boolean> | undefined;
  let nextBackgroundRefresh = 0;

  /** Installs whatever set jose holds now; a different set is a new generation. */
  const install = () => {
    const jwks = remote.jwks();
    if (!jwks || jwks === held?.jwks) return;
    held = { jwks, kids: new Set(jwks.keys.map((key) => key.kid)), local: createLocalJWKSet(jwks) };
    heldSince = now();
    generation += 1;
  };
  const reload = () => remote.reload().then(install);
  install();

  const getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    for (const name of KEY_DISCOVERY_HEADERS) {
      if (header[name] !== undefined) {
        throw new AuthError('token_invalid', `token carries a "${name}" header`);
      }
    }
    if (typeof header.kid !== 'string' || !header.kid) {
      throw new AuthError('token_invalid', 'token has no "kid" header');
    }

    if (!held) {
      await reload().catch((err: unknown) => {
        if (!held)
          throw new AuthError('jwks_unavailable', 'JWKS could not be fetched', { cause: err });
      });
    } else if (now() - heldSince >= maxAgeMs && now() >= nextBackgroundRefresh) {
      nextBackgroundRefresh = now() + cooldownMs;
      reload().catch(() => undefined);
    }

    if (!held!.kids.has(header.kid)) {
      if (!unknownKidFetch && now() - lastUnknownKidFetch >= cooldownMs) {
        lastUnknownKidFetch = now();
        unknownKidFetch = reload()
          .then(() => true)
          .catch(() => false)
          .finally(() => {
            unknownKidFetch = undefined;
          });
      }
      // No fetch allowed (the cooldown holds) or the fetch failed: the kid may be a key Scalekit
      // just rotated in, so this is transient (retry page, 503; cookies kept), never a sign-out.
      // Only a set fetched just now that still lacks the kid makes the token invalid.
      if (!(await unknownKidFetch) && !held!.kids.has(header.kid)) {
        const wait = Math.ceil((lastUnknownKidFetch + cooldownMs - now()) / 1000);
        throw new AuthError(
          'jwks_unavailable',
          `unknown "kid" and no key set refetch possible for ${Math.max(wait, 0)} s`,
        );
      }
    }
    return held!.local(header, token);
  };

  return Object.defineProperty(getKey, 'generation', { get: () => generation }) as KeySet;
}

let scalekitKeys: KeySet | undefined;

/** The key set of the configured Scalekit environment (`<SCALEKIT_ENV_URL>/keys`), one per isolate. */
export function scalekitKeySet(): KeySet {
  scalekitKeys ??= createKeySet(new URL(`${edgeConfig().envUrl}/keys`));
  return scalekitKeys;
}
