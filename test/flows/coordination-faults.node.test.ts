import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadAppInstance, type AppInstance } from '../support/app-instance';
import { call, DOCUMENT, SAME_ORIGIN, signIn } from '../support/app';
import { issuerControl } from '../support/issuer-control';
import { deletedCookies } from '../support/session-jar';
import { startUpstash, type LocalUpstash } from '../tools/upstash-endpoint/start-upstash';

const control = issuerControl(inject('issuerUrl'));

const signedOut = (response: Response) => deletedCookies(response).length > 0;

describe('when Redis misbehaves', () => {
  let upstash: LocalUpstash;
  let app: AppInstance;
  let strictDeny: AppInstance;
  let redisDown = false;

  beforeAll(async () => {
    upstash = await startUpstash();
    const env = { UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: upstash.token };
    app = await loadAppInstance({ ...env, SESSION_REVOCATION: 'strict' });
    strictDeny = await loadAppInstance({
      ...env,
      SESSION_REVOCATION: 'strict',
      SESSION_REVOCATION_ON_STORE_ERROR: 'deny',
    });
  });
  afterEach(async () => {
    upstash.rest.setFault(null);
    if (redisDown) await upstash.redis.start();
    redisDown = false;
  });
  afterAll(() => upstash?.close());

  const faults: Array<[string, () => Promise<void>]> = [
    [
      'redis-server stops mid-run',
      async () => {
        await upstash.redis.stop();
        redisDown = true;
      },
    ],
    [
      'the REST endpoint is slower than the store timeout',
      async () => upstash.rest.setFault({ mode: 'slow', delayMs: 60_000 }),
    ],
    ['the REST endpoint answers 500', async () => upstash.rest.setFault({ mode: 'error' })],
  ];

  it.each(faults)('refresh still succeeds and nobody is signed out: %s', async (_, inject) => {
    const { jar } = await signIn(app);
    await inject();
    const before = (await control.counts()).token ?? 0;
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        call(app.refreshPost, '/api/refresh', {
          jar: jar.clone(),
          method: 'POST',
          headers: SAME_ORIGIN,
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(responses.filter(signedOut)).toHaveLength(0);
    // Degraded, not uncoordinated: one instance still redeems once.
    expect(((await control.counts()).token ?? 0) - before).toBe(1);
  });

  it.each(faults)('strict revocation follows its policy on store errors: %s', async (_, inject) => {
    const { jar } = await signIn(app);
    await inject();
    const allowed = await call(app.protect, '/dashboard', { jar, headers: DOCUMENT });
    expect(allowed.headers.get('x-middleware-next')).toBe('1');
    const denied = await call(strictDeny.protect, '/dashboard', { jar, headers: DOCUMENT });
    expect(denied.status).toBe(303);
    expect(denied.headers.get('location')).toMatch(/\/login\?returnTo=/);
  });
});
