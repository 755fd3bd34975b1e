import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { M2M_AUDIENCE } from '../tools/scalekit-stand-in/m2m-clients';
import { appEnvironment } from './support/app-environment';
import { nextBuild, nextStart, type NextServer } from './support/next-process';

/**
 * Access tokens live this long, so tests can wait past an expiry. Short enough to keep the suite
 * quick; long enough that a page load on two busy cores never eats most of a token's life.
 */
export const ACCESS_TOKEN_TTL_SECONDS = 8;

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * One production build and server for the whole e2e project, against a local Scalekit stand-in:
 * `next build` (skipped with E2E_SKIP_BUILD=1 when `.next` has a build), then `next start` on a
 * free port of 127.0.0.1. Tests read the URLs with `inject()`; the issuer's counters and controls
 * are reachable over HTTP (test/support/issuer-control.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { issuer, port, appUrl, values } = await appEnvironment({
    accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
  });
  let server: NextServer | undefined;
  const teardown = async () => {
    await server?.stop();
    await issuer.close();
  };

  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      ...values,
      // The stand-in's M2M client's audience: its bearer tokens reach the API routes.
      SCALEKIT_API_AUDIENCE: M2M_AUDIENCE,
    };

    if (process.env.E2E_SKIP_BUILD === '1' && existsSync(`${root}/.next/BUILD_ID`)) {
      console.log('[e2e] E2E_SKIP_BUILD=1: using the existing .next build');
    } else {
      await nextBuild(root, env);
    }
    server = await nextStart(root, port, env);

    project.provide('appUrl', appUrl);
    project.provide('issuerUrl', issuer.url);
    project.provide('accessTokenTtlSeconds', ACCESS_TOKEN_TTL_SECONDS);
    project.provide('clientId', issuer.clientId);
    // For the test kit, which seals sessions as the app does.
    project.provide('sessionSecret', values.SESSION_COOKIE_SECRET);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The app under test, `http://127.0.0.1:<port>`. */
    appUrl: string;
    issuerUrl: string;
    accessTokenTtlSeconds: number;
    sessionSecret: string;
  }
}
