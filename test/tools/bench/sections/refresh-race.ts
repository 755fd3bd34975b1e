import { ScalekitClient } from '@scalekit-sdk/node';
import { unseal } from '../../../../lib/edge/seal';
import { parseSetCookie, type CookieJar } from '../../../support/cookie-jar';
import type { AppServer } from '../support/next-app';
import type { Services } from '../support/services';
import { countBy } from './jwks-fetches';

export interface RaceOutcome {
  approach: string;
  instances: number;
  requests: number;
  /** Requests to the issuer's token endpoint during the race: refresh-token redemptions. */
  tokenEndpointCalls: number;
  successes: number;
  /** Answers that end the session (session cookies deleted, or the seed's failed refresh). */
  signOuts: number;
  statuses: Record<string, number>;
  distinctAccessTokens: number;
}

export const RACE_SIZE = 50;

/**
 * Section 4: `RACE_SIZE` simultaneous `POST /api/refresh` with one session's cookies, spread
 * round-robin over `apps` (separate `next start` processes).
 */
export async function raceOverHttp(
  approach: string,
  services: Services,
  apps: AppServer[],
  jar: CookieJar,
  secret: string,
): Promise<RaceOutcome> {
  const cookie = jar.header('/api/refresh');
  const before = await services.issuer.tokenRequests();
  const responses = await Promise.all(
    Array.from({ length: RACE_SIZE }, async (_, i) => {
      const { url } = apps[i % apps.length]!;
      const response = await fetch(`${url}/api/refresh`, {
        method: 'POST',
        // What the session keeper's fetch sends: the route refuses a POST from another origin.
        headers: { cookie, origin: url },
        redirect: 'manual',
      });
      await response.arrayBuffer();
      return response;
    }),
  );
  const tokenEndpointCalls = (await services.issuer.tokenRequests()) - before;
  const access = responses.map((response) =>
    response.headers
      .getSetCookie()
      .map(parseSetCookie)
      .find((c) => c.name === 'sk_access'),
  );
  const opened = await Promise.all(
    access.map((c) => (c?.value ? unseal(c.value, 'access', [secret]) : null)),
  );
  return {
    approach,
    instances: apps.length,
    requests: RACE_SIZE,
    tokenEndpointCalls,
    successes: responses.filter((r) => r.status === 200).length,
    signOuts: access.filter((c) => c && (c.value === '' || (c.maxAge ?? 1) <= 0)).length,
    statuses: countBy(responses.map((r) => r.status)),
    distinctAccessTokens: new Set(opened.filter(Boolean)).size,
  };
}

/**
 * The seed cookbook's refresh route: every request redeems the refresh token itself with the SDK
 * (`refreshAccessToken`), with nothing shared; a failed refresh answers 401 and the user is out.
 */
export async function raceLikeTheSeed(
  services: Services,
  jar: CookieJar,
  secret: string,
): Promise<RaceOutcome> {
  const sealed = jar.get('sk_refresh')?.value;
  const refreshToken = sealed ? await unseal(sealed, 'refresh', [secret]) : null;
  if (!refreshToken) throw new Error('the session has no refresh token');
  const sdk = new ScalekitClient(services.issuerUrl, services.clientId, services.clientSecret);
  const before = await services.issuer.tokenRequests();
  const outcomes = await Promise.allSettled(
    Array.from({ length: RACE_SIZE }, () => sdk.refreshAccessToken(refreshToken)),
  );
  const fulfilled = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  return {
    approach: 'seed: every request calls refreshAccessToken itself',
    instances: 1,
    requests: RACE_SIZE,
    tokenEndpointCalls: (await services.issuer.tokenRequests()) - before,
    successes: fulfilled.length,
    signOuts: RACE_SIZE - fulfilled.length,
    statuses: countBy(outcomes.map((o) => (o.status === 'fulfilled' ? 200 : 401))),
    distinctAccessTokens: new Set(fulfilled.map((pair) => pair.accessToken)).size,
  };
}
