import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startIssuer } from '../tools/scalekit-stand-in';
import { freePort } from '../support/free-port';

/**
 * Access tokens live this long, so tests can wait past an expiry. Short enough to keep the suite
 * quick; long enough that a page load on two busy cores never eats most of a token's life.
 */
export const ACCESS_TOKEN_TTL_SECONDS = 8;

const root = fileURLToPath(new URL('../..', import.meta.url));
const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
const SERVE_TIMEOUT_MS = 60_000;

/**
 * One production build and server for the whole e2e project, against a local Scalekit stand-in:
 * `next build` (skipped with E2E_SKIP_BUILD=1 when `.next` has a build), then `next start` on a
 * free port of 127.0.0.1. Tests read the URLs with `inject()`; the issuer's counters and controls
 * are reachable over HTTP (test/support/issuer-control.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const issuer = await startIssuer({ accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS });
  let server: ChildProcess | undefined;
  const teardown = async () => {
    if (server) await stopProcessGroup(server);
    await issuer.close();
  };

  try {
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}`;
    issuer.registerClientUris({
      redirectUris: [`${appUrl}/api/callback`],
      postLogoutRedirectUris: [`${appUrl}/auth/signed-out`],
    });
    const sessionSecret = randomBytes(32).toString('base64url');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      SCALEKIT_ENV_URL: issuer.url,
      SCALEKIT_CLIENT_ID: issuer.clientId,
      SCALEKIT_CLIENT_SECRET: issuer.clientSecret,
      APP_URL: appUrl,
      SESSION_COOKIE_SECRET: sessionSecret,
    };

    if (process.env.E2E_SKIP_BUILD === '1' && existsSync(`${root}/.next/BUILD_ID`)) {
      console.log('[e2e] E2E_SKIP_BUILD=1: using the existing .next build');
    } else {
      await run([nextBin, 'build'], env);
    }

    server = spawn(
      process.execPath,
      [nextBin, 'start', '--hostname', '127.0.0.1', '--port', `${port}`],
      {
        cwd: root,
        env,
        detached: true, // its own process group, so teardown stops next and its workers together
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output = captureOutput(server);
    // Should vitest die without tearing down, do not leave a server behind.
    const orphanGuard = () => killGroup(server!, 'SIGKILL');
    process.once('exit', orphanGuard);
    server.once('exit', () => process.off('exit', orphanGuard));
    await waitUntilServing(appUrl, server, output);

    project.provide('appUrl', appUrl);
    project.provide('issuerUrl', issuer.url);
    project.provide('accessTokenTtlSeconds', ACCESS_TOKEN_TTL_SECONDS);
    project.provide('clientId', issuer.clientId);
    // For the test kit, which seals sessions as the app does.
    project.provide('sessionSecret', sessionSecret);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  console.log(`[e2e] next ${args.slice(1).join(' ')} …`);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = captureOutput(child);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) {
        console.log(`[e2e] next build done in ${Math.round((Date.now() - started) / 1000)} s`);
        resolve();
      } else {
        reject(
          new Error(`next ${args.slice(1).join(' ')} failed (${code ?? signal}):\n${output()}`),
        );
      }
    });
  });
}

/** Keeps the last 20 KB of a child's stdout and stderr, for error messages. */
function captureOutput(child: ChildProcess): () => string {
  let text = '';
  const append = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return () => text;
}

async function waitUntilServing(appUrl: string, server: ChildProcess, output: () => string) {
  const deadline = Date.now() + SERVE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`next start exited early:\n${output()}`);
    try {
      const response = await fetch(`${appUrl}/`, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  throw new Error(`next start did not serve ${appUrl} within ${SERVE_TIMEOUT_MS} ms:\n${output()}`);
}

async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const timeout = sleep(5_000).then(() => 'timeout' as const);
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    killGroup(child, 'SIGKILL');
    await exited;
  }
}

/** Signals the child's whole process group (it was spawned detached, as the group leader). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
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
