import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { seal } from '../../../../lib/edge/seal';
import type { AppServer } from '../support/next-app';
import type { Services } from '../support/services';

export interface ColdBurstResult {
  path: string;
  requests: number;
  statuses: Record<string, number>;
  keysFetches: number;
  wallMs: number;
}

export interface FloodResult {
  requests: number;
  seconds: number;
  statuses: Record<string, number>;
  keysFetches: number;
  /** Seconds after the first request at which the `/keys` counter had gone up (polled every 250 ms). */
  fetchTimesS: number[];
  cooldownS: number;
}

/**
 * `requests` concurrent first requests to an instance nobody has sent a protected request yet
 * (its Edge isolate holds no keys): how many times does it fetch `/keys`?
 */
export async function coldBurst(
  services: Services,
  app: AppServer,
  path: string,
  headers: Record<string, string>,
  requests = 100,
): Promise<ColdBurstResult> {
  const before = await services.issuer.keysFetches();
  const started = performance.now();
  const statuses = await Promise.all(
    Array.from({ length: requests }, async () => {
      const response = await fetch(`${app.url}${path}`, { headers, redirect: 'manual' });
      await response.arrayBuffer();
      return response.status;
    }),
  );
  const wallMs = performance.now() - started;
  return {
    path,
    requests,
    statuses: countBy(statuses),
    keysFetches: (await services.issuer.keysFetches()) - before,
    wallMs,
  };
}

/**
 * `count` requests, evenly spread over `seconds`, each with a different well-signed token whose
 * `kid` the issuer does not publish (sealed with the app's secret, so it reaches verification).
 * Each unknown kid may refetch `/keys` only once per cooldown.
 */
export async function unknownKidFlood(
  services: Services,
  app: AppServer,
  secret: string,
  count = 1_000,
  seconds = 30,
): Promise<FloodResult> {
  const cookies = await forgeUnknownKidCookies(services, secret, count);
  const before = await services.issuer.keysFetches();
  const fetchTimesS: number[] = [];
  const started = performance.now();
  let polling = true;
  const poller = (async () => {
    let seen = before;
    while (polling) {
      await sleep(250);
      const now = await services.issuer.keysFetches();
      for (; seen < now; seen++) fetchTimesS.push((performance.now() - started) / 1000);
    }
  })();

  const intervalMs = (seconds * 1000) / count;
  const pending: Array<Promise<number>> = [];
  for (let i = 0; i < count; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(
      fetch(`${app.url}/api/protected/health`, {
        headers: { cookie: `sk_access=${cookies[i]}` },
      }).then(
        async (response) => {
          await response.arrayBuffer();
          return response.status;
        },
        () => -1,
      ),
    );
  }
  const statuses = await Promise.all(pending);
  const elapsedS = (performance.now() - started) / 1000;
  await sleep(500);
  polling = false;
  await poller;
  return {
    requests: count,
    seconds: elapsedS,
    statuses: countBy(statuses),
    keysFetches: (await services.issuer.keysFetches()) - before,
    fetchTimesS,
    cooldownS: 30,
  };
}

async function forgeUnknownKidCookies(services: Services, secret: string, count: number) {
  const now = Math.floor(Date.now() / 1000);
  const cookies: string[] = [];
  for (let batch = 0; batch < count; batch += 25) {
    const size = Math.min(25, count - batch);
    const signed = await Promise.all(
      Array.from({ length: size }, () =>
        services.issuer.signJwt(
          {
            iss: services.issuerUrl,
            aud: [services.clientId],
            sub: 'usr_flood',
            sid: 'ses_flood',
            iat: now,
            exp: now + 3600,
          },
          { kid: `snk_random_${randomBytes(10).toString('hex')}` },
        ),
      ),
    );
    cookies.push(...(await Promise.all(signed.map((token) => seal(token, 'access', [secret])))));
  }
  return cookies;
}

export function countBy(values: readonly (number | string)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
  return counts;
}
