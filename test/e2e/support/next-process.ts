import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The `next` of the app in `dir`: another app's would bring its own React along. */
const nextBin = (dir: string) =>
  createRequire(join(dir, 'package.json')).resolve('next/dist/bin/next');
const SERVE_TIMEOUT_MS = 60_000;

/**
 * `next build` in `dir` with `env`; rejects with the last of its output when it fails. Says once,
 * when done, how long it took: the figure a reader of a slow run wants.
 */
export function nextBuild(dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin(dir), 'build'], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = captureOutput(child);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) {
        console.log(`[e2e] next build in ${dir}: ${Math.round((Date.now() - started) / 1000)} s`);
        resolve();
      } else {
        reject(new Error(`next build failed (${code ?? signal}):\n${output()}`));
      }
    });
  });
}

export interface NextServer {
  readonly url: string;
  /** The last 20 KB of its output, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * `next start` of the build in `dir` on 127.0.0.1:`port`, resolved once it serves `/`. It runs in
 * its own process group, so `stop()` ends next and its workers together, and it is killed should
 * the test process exit without stopping it.
 */
export async function nextStart(
  dir: string,
  port: number,
  env: NodeJS.ProcessEnv,
): Promise<NextServer> {
  const server = spawn(
    process.execPath,
    [nextBin(dir), 'start', '--hostname', '127.0.0.1', '--port', `${port}`],
    { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = captureOutput(server);
  const orphanGuard = () => killGroup(server, 'SIGKILL');
  process.once('exit', orphanGuard);
  server.once('exit', () => process.off('exit', orphanGuard));
  const url = `http://127.0.0.1:${port}`;
  const running = { url, output, stop: () => stopProcessGroup(server) };
  try {
    await waitUntilServing(url, server, output);
  } catch (error) {
    await running.stop();
    throw error;
  }
  return running;
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

async function waitUntilServing(url: string, server: ChildProcess, output: () => string) {
  const deadline = Date.now() + SERVE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`next start exited early:\n${output()}`);
    try {
      const response = await fetch(`${url}/`, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  throw new Error(`next start did not serve ${url} within ${SERVE_TIMEOUT_MS} ms:\n${output()}`);
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
