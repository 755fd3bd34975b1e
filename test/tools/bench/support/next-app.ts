import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnChild, stopChild, type Child } from './children';
import { COPY_DIR, NEXT_BIN } from './app-copy';
import { freePort } from '../../../support/free-port';

/** One `next start` (of the app's copy, or of a peer variant), on its own loopback port. */
export interface AppServer {
  readonly name: string;
  /** `http://127.0.0.1:<port>`, also its APP_URL. */
  readonly url: string;
  readonly child: Child;
  /** The next-server process (where requests are served). */
  pid(): number;
  /** Resident set size of the next-server process, in MiB (VmRSS of /proc/<pid>/status). */
  rssMiB(): number;
  /**
   * CPU time next-server has used so far (user + system, µs): the whole process (every thread:
   * libuv's pool, GC helpers, the profiler) and its main thread alone, where JavaScript runs.
   */
  cpuUs(): { process: number; mainThread: number };
  stop(): Promise<void>;
}

/** What makes the instances differ; the rest of the configuration is shared. */
export interface AppOptions {
  name: string;
  /** The built app to serve; the app's copy (support/app-copy.ts) when omitted. */
  dir?: string;
  /** The `next` that built it. */
  nextBin?: string;
  /** Values every instance shares: issuer, client, session secret (and the peers' settings). */
  baseEnv: Record<string, string>;
  /** Share this Upstash endpoint (omit for the in-memory store). */
  upstash?: { url: string; token: string };
  revocation?: 'off' | 'strict';
  /** Extra arguments for node itself, e.g. `--import` of a preload. */
  nodeArgs?: string[];
}

const SERVE_TIMEOUT_MS = 60_000;

/**
 * Starts `next start` for the copy with a configuration made only of `options` (nothing of the
 * bench's own environment about auth leaks in), and waits until `/api/health` answers. That
 * probe is outside the middleware's matcher, so a fresh instance's Edge isolate stays cold.
 */
export async function startApp(options: AppOptions): Promise<AppServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: process.env.LANG,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    ...options.baseEnv,
    APP_URL: url,
    SESSION_REVOCATION: options.revocation ?? 'off',
    ...(options.upstash && {
      UPSTASH_REDIS_REST_URL: options.upstash.url,
      UPSTASH_REDIS_REST_TOKEN: options.upstash.token,
    }),
  };
  const args = [
    ...(options.nodeArgs ?? []),
    options.nextBin ?? NEXT_BIN,
    'start',
    '-H',
    '127.0.0.1',
    '-p',
    `${port}`,
  ];
  const child = spawnChild(options.name, process.execPath, args, {
    cwd: options.dir ?? COPY_DIR,
    env,
  });
  try {
    await waitUntilServing(url, child);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    name: options.name,
    url,
    child,
    pid: () => nextServerPid(child.pid),
    rssMiB: () => readRssMiB(nextServerPid(child.pid)),
    cpuUs: () => {
      const pid = nextServerPid(child.pid);
      return { process: readCpuUs(pid, 'stat'), mainThread: readCpuUs(pid, `task/${pid}/stat`) };
    },
    stop: () => stopChild(child),
  };
}

async function waitUntilServing(url: string, child: Child): Promise<void> {
  const deadline = Date.now() + SERVE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exited()) throw new Error(`${child.name} exited early:\n${child.output()}`);
    try {
      const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  throw new Error(
    `${child.name} did not serve ${url} in ${SERVE_TIMEOUT_MS} ms:\n${child.output()}`,
  );
}

/**
 * `next start` renames its own process to `next-server (vX)`; should a later Next fork a server
 * process instead, the first descendant with that name is the one to measure.
 */
export function nextServerPid(rootPid: number): number {
  const isServer = (pid: number) => readProc(pid, 'cmdline').startsWith('next-server');
  if (isServer(rootPid)) return rootPid;
  const queue = [rootPid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid)) continue;
      const stat = readProc(pid, 'stat');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parent) continue;
      if (isServer(pid)) return pid;
      queue.push(pid);
    }
  }
  return rootPid;
}

function readRssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readProc(pid, 'status'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Math.round((Number(match[1]) / 1024) * 10) / 10;
}

let ticksPerSecond: number | undefined;

function readCpuUs(pid: number, file: string): number {
  const stat = readProc(pid, file);
  // Fields after the command name: state is field 3, utime 14 and stime 15 (proc(5)), in ticks.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1e6;
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}
