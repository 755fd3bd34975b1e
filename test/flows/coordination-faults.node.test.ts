import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadAppInstance, type AppInstance } from '../support/app-instance';
import { call, DOCUMENT, SAME_ORIGIN, signIn } from '../support/app';
import { captureAuthLog, loggedFailure } from '../support/auth-log';
import { issuerControl } from '../support/issuer-control';
import { deletedCookies } from '../support/session-jar';
import { startUpstash, type LocalUpstash } from '../tools/upstash-endpoint/start-upstash';

const control = issuerControl(inject('issuerUrl'));

const signedOut = (response: Response) => deletedCookies(response).length > 0;

describe('when Redis misbehaves', () => {
  let upstash: LocalUpstash;
  let app: AppInstance;
  let strictDeny: AppInstance;
  let lenient: AppInstance;
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
    lenient = await loadAppInstance(env);
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

  it.each(faults)(
    'refresh renews nothing it cannot check and nobody is signed out: %s',
    async (_, inject) => {
      const { jar } = await signIn(app);
      await inject();
      const before = (await control.counts()).token ?? 0;
      const { result: responses, lines } = await captureAuthLog(() =>
        Promise.all(
          Array.from({ length: 5 }, () =>
            call(app.refreshPost, '/api/refresh', {
              jar: jar.clone(),
              method: 'POST',
              headers: SAME_ORIGIN,
            }),
          ),
        ),
      );
      // The revocation list cannot be read, so no session renews (it could be a signed-out one);
      // every session is kept, to renew once Redis answers again.
      expect(responses.map((r) => r.status)).toEqual([503, 503, 503, 503, 503]);
      expect(responses.filter(signedOut)).toHaveLength(0);
      expect(((await control.counts()).token ?? 0) - before).toBe(0);
      expect(lines).toEqual(
        Array(5).fill(
          expect.objectContaining({
            code: 'refresh_unavailable',
            detail: 'the revocation list could not be read',
          }),
        ),
      );
    },
  );

  it('revocation never fails open in /api/refresh: a copied session does not renew while the list cannot be read', async () => {
    // Not strict, and SESSION_REVOCATION_ON_STORE_ERROR left at `allow`: refresh ignores both.
    const { jar } = await signIn(lenient);
    const copied = jar.clone();
    await upstash.rest.setFault({ mode: 'error' });
    const out = await captureAuthLog(() =>
      call(lenient.logoutPost, '/logout', { jar, method: 'POST', headers: SAME_ORIGIN }),
    );
    expect(out.result.status).toBe(303);
    expect(out.lines).toEqual([
      loggedFailure(
        'store_unavailable',
        '/logout',
        'the revocation could not be written; signing out anyway',
      ),
    ]);
    const before = (await control.counts()).token ?? 0;
    const renewal = await captureAuthLog(() =>
      call(lenient.refreshPost, '/api/refresh', {
        jar: copied,
        method: 'POST',
        headers: SAME_ORIGIN,
      }),
    );
    expect(renewal.result.status).toBe(503);
    expect(await renewal.result.json()).toEqual({ error: 'refresh_unavailable' });
    expect(renewal.result.headers.getSetCookie()).toEqual([]);
    expect(((await control.counts()).token ?? 0) - before).toBe(0);
    expect(renewal.lines).toEqual([expect.objectContaining({ code: 'refresh_unavailable' })]);
  });

  it.each(faults)('strict revocation follows its policy on store errors: %s', async (_, inject) => {
    const { jar } = await signIn(app);
    await inject();
    const allowed = await call(app.protect, '/dashboard', { jar, headers: DOCUMENT });
    expect(allowed.headers.get('x-middleware-next')).toBe('1');
    const denied = await captureAuthLog(() =>
      call(strictDeny.protect, '/dashboard', { jar, headers: DOCUMENT }),
    );
    expect(denied.result.status).toBe(303);
    expect(denied.result.headers.get('location')).toMatch(/\/login\?returnTo=/);
    // An outage under the deny policy is logged as what it is, never as a sign-out.
    expect(denied.lines).toEqual([
      expect.objectContaining({
        code: 'unauthenticated',
        detail: 'the revocation list could not be read (SESSION_REVOCATION_ON_STORE_ERROR=deny)',
      }),
    ]);
  });
});
