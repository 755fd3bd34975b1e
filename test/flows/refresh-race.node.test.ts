import { ScalekitClient } from '@scalekit-sdk/node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadAppInstance, type AppInstance } from '../support/app-instance';
import { call, SAME_ORIGIN, signIn } from '../support/app';
import { captureAuthLog, loggedFailure } from '../support/auth-log';
import type { CookieJar } from '../support/cookie-jar';
import { issuerControl } from '../support/issuer-control';
import { accessTokenSet, deletedCookies, sessionTokens } from '../support/session-jar';
import { startUpstash, type LocalUpstash } from '../tools/upstash-endpoint/start-upstash';

const control = issuerControl(inject('issuerUrl'));
const CONCURRENCY = 50;

/** 50 refreshes with one refresh token, alternating between instances, all at once. */
async function race(instances: AppInstance[], jar: CookieJar) {
  const before = (await control.counts()).token ?? 0;
  const responses = await Promise.all(
    Array.from({ length: CONCURRENCY }, (_, i) =>
      call(instances[i % instances.length]!.refreshPost, '/api/refresh', {
        jar: jar.clone(),
        method: 'POST',
        headers: SAME_ORIGIN,
      }),
    ),
  );
  const accessTokens = await Promise.all(responses.map(accessTokenSet));
  return {
    redemptions: ((await control.counts()).token ?? 0) - before,
    successes: responses.filter((r) => r.status === 200).length,
    signOuts: responses.filter((r) => deletedCookies(r).includes('sk_access')).length,
    accessTokensSet: accessTokens.filter(Boolean).length,
    distinctAccessTokens: new Set(accessTokens.filter(Boolean)).size,
  };
}

describe('50 concurrent refreshes with one refresh token across two instances', () => {
  let upstash: LocalUpstash;

  beforeAll(async () => {
    upstash = await startUpstash();
  });
  afterAll(() => upstash?.close());

  it('redeem once and keep everyone signed in when the instances share Redis', async () => {
    const env = { UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: upstash.token };
    const instances = [await loadAppInstance(env), await loadAppInstance(env)];
    const result = await race(instances, (await signIn(instances[0]!)).jar);
    expect(result).toEqual({
      redemptions: 1,
      successes: CONCURRENCY,
      signOuts: 0,
      accessTokensSet: CONCURRENCY,
      distinctAccessTokens: 1,
    });
  });

  it('reports what the in-memory store and the uncoordinated approach lose', async () => {
    const memory = { UPSTASH_REDIS_REST_URL: undefined, UPSTASH_REDIS_REST_TOKEN: undefined };
    const instances = [await loadAppInstance(memory), await loadAppInstance(memory)];
    const raced = (await signIn(instances[0]!)).jar;
    const { result: perInstance, lines } = await captureAuthLog(() => race(instances, raced));
    // Every request the other instance's redemption signed out is logged once, as a rejection.
    expect(lines).toEqual(
      Array(perInstance.signOuts).fill(
        loggedFailure('refresh_failed', '/api/refresh', 'Scalekit rejected the refresh token'),
      ),
    );

    // The seed's approach: every request redeems the refresh token itself.
    const { jar } = await signIn(instances[0]!);
    const { refreshToken } = await sessionTokens(jar);
    const sdk = new ScalekitClient(inject('issuerUrl'), inject('clientId'), inject('clientSecret'));
    const before = (await control.counts()).token ?? 0;
    const outcomes = await Promise.allSettled(
      Array.from({ length: CONCURRENCY }, () => sdk.refreshAccessToken(refreshToken)),
    );
    const uncoordinated = {
      redemptions: ((await control.counts()).token ?? 0) - before,
      successes: outcomes.filter((o) => o.status === 'fulfilled').length,
      signOuts: outcomes.filter((o) => o.status === 'rejected').length,
    };
    console.info(
      `[race] in-memory store, 2 instances: ${JSON.stringify(perInstance)}; ` +
        `uncoordinated (seed): ${JSON.stringify(uncoordinated)}`,
    );
    // Reported, not a success criterion: each instance redeems once on its own.
    expect(perInstance.redemptions).toBe(instances.length);
    expect(uncoordinated.redemptions).toBe(CONCURRENCY);
  });
});
