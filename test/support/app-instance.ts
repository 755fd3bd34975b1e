import { expect, vi } from 'vitest';
import { captureAuthLog } from './auth-log';

/**
 * A fresh copy of the app's server modules, as a separate Vercel instance would have: its own
 * configuration, JWKS cache, in-process single-flight map and store client, sharing nothing in
 * memory with other copies. `env` is applied while the copy reads its configuration.
 */
export async function loadAppInstance(env: Record<string, string | undefined>) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  for (const [name, value] of Object.entries(env))
    if (value === undefined) delete process.env[name];
  try {
    vi.resetModules();
    // One after the other: imports in parallel race inside Node 20's require() of ES modules (the
    // SDK, CommonJS, requires jose while another import is still loading it: "Unexpected module
    // status 0"), which failed a run now and then.
    const protection = await import('@/lib/edge/protect');
    const login = await import('@/app/(auth)/login/route');
    const callback = await import('@/app/(auth)/api/callback/route');
    const refresh = await import('@/app/(auth)/api/refresh/route');
    const logout = await import('@/app/(auth)/logout/route');
    const backchannel = await import('@/app/(auth)/api/backchannel-logout/route');
    const webhooks = await import('@/app/(auth)/api/webhooks/scalekit/route');
    const envModule = await import('@/lib/server/env');
    const store = await import('@/lib/server/store/get-store');
    const session = await import('@/lib/server/session');
    // Configuration and the store are read on first use: read them now, under `env`.
    envModule.serverConfig();
    await createStoreQuietly(store.getStore);
    return {
      protect: protection.protect,
      login: login.GET,
      callback: callback.GET,
      refreshGet: refresh.GET,
      refreshPost: refresh.POST,
      logoutPost: logout.POST,
      backchannelLogout: backchannel.POST,
      webhook: webhooks.POST,
      readSession: session.readSession,
      /** The store this instance coordinates through (for tests that look behind it). */
      store: store.getStore(),
    };
  } finally {
    process.env = saved;
  }
}

export type AppInstance = Awaited<ReturnType<typeof loadAppInstance>>;

/**
 * Creates the process-wide store now, keeping its one-time warning off the console: without
 * Upstash every fresh copy of the app says it uses an in-memory store, which is not what the
 * test is about (create-store.node.test.ts asserts that warning). Any other line fails the test.
 *
 * @example
 * beforeAll(() => createStoreQuietly(getStore));
 */
export async function createStoreQuietly(getStore: () => unknown): Promise<void> {
  const { lines } = await captureAuthLog(async () => getStore());
  for (const line of lines) {
    expect(line).toEqual({ text: expect.stringMatching(/^No Upstash Redis configured/) });
  }
}
