import { Redis } from '@upstash/redis';
import type { ExportedJWKSCache, JSONWebKeySet } from 'jose';
import { verifyAccessToken } from '../../../../lib/edge/access-token';
import { createKeySet } from '../../../../lib/edge/jwks';
import type { Services } from '../support/services';
import { summarize, type DurationSummary } from '../support/stats';

/** The experiment's key in Redis: what a shared JWKS cache would hold (jose's `{ jwks, uat }`). */
const CACHE_KEY = 'bench:jwks-cache';

export interface ColdStartResult {
  coldStarts: number;
  /** `createKeySet(url)` + the first verify: the key set fetches `/keys`. */
  plain: DurationSummary & { keysFetches: number };
  /** One GET of `{ jwks, uat }` from Upstash, `createKeySet(url, { cache })` + the first verify. */
  redis: DurationSummary & { keysFetches: number; get: DurationSummary };
}

/**
 * Section 3, experiment: is a JWKS cache shared through Redis worth having for cold starts? Each
 * iteration is a cold key set (a new isolate's view) verifying one token, alternately without
 * and with the Redis copy, so both see the same machine. Both reach their source with this
 * process's fetch, whose connection pool is warm: each is one loopback HTTP round trip.
 */
export async function measureColdStarts(
  services: Services,
  token: string,
  coldStarts: number,
): Promise<ColdStartResult> {
  const keysUrl = new URL(`${services.issuerUrl}/keys`);
  const verifyOptions = { issuer: services.issuerUrl, clientId: services.clientId };
  const connect = () => new Redis({ url: services.upstashUrl, token: services.upstashToken });

  const jwks = (await (await fetch(keysUrl)).json()) as JSONWebKeySet;
  await connect().set(CACHE_KEY, { jwks, uat: Date.now() } satisfies ExportedJWKSCache);

  const plain: number[] = [];
  const redis: number[] = [];
  const gets: number[] = [];
  let plainFetches = 0;
  let redisFetches = 0;
  for (let i = 0; i < coldStarts; i++) {
    let before = await services.issuer.keysFetches();
    let started = performance.now();
    await verifyAccessToken(token, { ...verifyOptions, keySet: createKeySet(keysUrl) });
    plain.push(performance.now() - started);
    plainFetches += (await services.issuer.keysFetches()) - before;

    before = await services.issuer.keysFetches();
    started = performance.now();
    const cache = await connect().get<ExportedJWKSCache>(CACHE_KEY);
    gets.push(performance.now() - started);
    if (!cache) throw new Error('the JWKS cache is not in Redis');
    await verifyAccessToken(token, { ...verifyOptions, keySet: createKeySet(keysUrl, { cache }) });
    redis.push(performance.now() - started);
    redisFetches += (await services.issuer.keysFetches()) - before;
  }
  return {
    coldStarts,
    plain: { ...summarize(plain), keysFetches: plainFetches },
    redis: { ...summarize(redis), keysFetches: redisFetches, get: summarize(gets) },
  };
}
