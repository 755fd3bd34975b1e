import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { packageOf, selfTime, type CpuProfile, type ProfileWindow } from './cpu-profile';
import { TMP_DIR } from './paths';
import { readMappedFile, type MappedFile } from './source-map';

/**
 * Where a next-server's main thread spends its time: the server is profiled while the bench
 * sends it requests, the bench notes those stretches, and the samples inside them are grouped by
 * the code they ran in. Frames in the built bundles are traced through their source maps to the
 * package they came from. V8's profiler and `process.hrtime` share the monotonic clock on Linux,
 * so a stretch timed in the bench selects the server's samples.
 *
 * A sample lasts until the next one, in wall time: on a shared machine a thread waiting for a
 * core keeps its sample running. So the profile gives the shares; the thread's CPU time from
 * /proc (see AppServer.cpuUs) gives the total they are shares of.
 */

/** Main-thread CPU per request over some stretches of a profile. */
export interface CpuCost {
  /** The main thread's CPU time (/proc), per request. */
  mainThreadUsPerRequest: number;
  /** Non-idle sample time per request: above the CPU time by what waiting for a core added. */
  sampledUsPerRequest: number;
  /** Share of the stretches' wall time the main thread was idle (waiting on I/O or timers). */
  idleShare: number;
  /**
   * Share of the stretches' wall time the main thread ran on a core. With little idle time, the
   * rest is time it waited for one: a shared machine's other work, not the variant.
   */
  onCoreShare: number;
  /** {@link mainThreadUsPerRequest} split by the code it ran in, in the profile's proportions. */
  byCategory: Record<string, number>;
}

/** Sampling interval: fine enough for µs per request over thousands of requests. */
const INTERVAL_US = 1000;
const PRELOAD = new URL('./profile-on-signal.mjs', import.meta.url);

/**
 * Profiles one next-server during the stretches the bench measures it (support/profile-on-signal.mjs,
 * preloaded with `nodeArgs` and configured by `env`).
 */
export interface ServerProfiler {
  nodeArgs: string[];
  env: Record<string, string>;
  /** Starts the server's profiler (`pid` is next-server's) and gives it a moment to run. */
  start(pid: number): Promise<void>;
  /** Stops it and waits until the profile is written. */
  stop(pid: number): Promise<void>;
  /** Every profile written so far. */
  profiles(): Promise<CpuProfile[]>;
}

export async function serverProfiler(name: string): Promise<ServerProfiler> {
  const dir = join(TMP_DIR, 'cpu-profiles', name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  let written = 0;
  const files = async () => (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile')).sort();
  return {
    nodeArgs: ['--import', PRELOAD.href],
    env: { BENCH_PROFILE_DIR: dir, BENCH_PROFILE_INTERVAL_US: String(INTERVAL_US) },
    start: async (pid) => {
      process.kill(pid, 'SIGUSR2');
      await sleep(100);
    },
    stop: async (pid) => {
      process.kill(pid, 'SIGUSR2');
      written++;
      const deadline = Date.now() + 15_000;
      while ((await files()).length < written) {
        if (Date.now() > deadline) throw new Error(`${name}: no CPU profile written in ${dir}`);
        await sleep(20);
      }
    },
    profiles: async () =>
      Promise.all(
        (await files()).map(
          async (file) => JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile,
        ),
      ),
  };
}

export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * The cost of `requests` requests sent during `windows`, in which the main thread used
 * `mainThreadUs` of CPU, by category (see {@link categorizer}).
 */
export function costOf(
  profiles: readonly CpuProfile[],
  windows: readonly ProfileWindow[],
  key: ReturnType<typeof categorizer>,
  usage: { requests: number; mainThreadUs: number },
): CpuCost {
  const totals = new Map<string, number>();
  for (const profile of profiles) {
    for (const [name, us] of selfTime(profile, key, windows)) {
      totals.set(name, (totals.get(name) ?? 0) + us);
    }
  }
  const idle = totals.get('(idle)') ?? 0;
  totals.delete('(idle)');
  const sampled = [...totals.values()].reduce((sum, us) => sum + us, 0);
  const wall = windows.reduce((sum, w) => sum + (w.toUs - w.fromUs), 0);
  const perRequest = usage.mainThreadUs / usage.requests;
  return {
    mainThreadUsPerRequest: perRequest,
    sampledUsPerRequest: sampled / usage.requests,
    idleShare: idle / wall,
    onCoreShare: usage.mainThreadUs / wall,
    byCategory: Object.fromEntries(
      [...totals].map(([name, us]) => [name, sampled ? (us / sampled) * perRequest : 0]),
    ),
  };
}

/** Per-request cost by category of `b` minus `a`, largest increase first. */
export function costDifference(a: CpuCost, b: CpuCost) {
  const names = new Set([...Object.keys(a.byCategory), ...Object.keys(b.byCategory)]);
  return [...names]
    .map((name) => ({
      name,
      aUs: a.byCategory[name] ?? 0,
      bUs: b.byCategory[name] ?? 0,
      deltaUs: (b.byCategory[name] ?? 0) - (a.byCategory[name] ?? 0),
    }))
    .sort((x, y) => y.deltaUs - x.deltaUs);
}

/**
 * Names the code a sample ran in: the middleware's Edge bundle and the Node server bundles by
 * source package (Next's adapter, jose, lib/edge, a peer library, …), Next's Node side by
 * directory, then Node internals, GC and V8 builtins.
 */
export function categorizer() {
  const maps = new Map<string, MappedFile | null>();
  const mapFor = (path: string) => {
    if (!maps.has(path)) maps.set(path, existsSync(`${path}.map`) ? readMappedFile(path) : null);
    return maps.get(path)!;
  };
  return (frame: CpuProfile['nodes'][number]['callFrame']): string => {
    const { url } = frame;
    if (!url) {
      if (frame.functionName === '(garbage collector)') return 'V8: garbage collector';
      if (frame.functionName === '(idle)' || frame.functionName === '(program)') {
        return frame.functionName;
      }
      return 'V8 builtins / native (RegExp, JSON, streams, crypto glue)';
    }
    if (url.startsWith('node:')) return 'Node internals (http, streams, url, events)';
    const path = url.startsWith('file://') ? fileURLToPath(url) : url;
    const bundle = path.includes('/.next/server/edge/')
      ? 'middleware bundle'
      : path.includes('/.next/server/')
        ? 'server bundle'
        : undefined;
    if (bundle) {
      const source = mapFor(path)?.sourceAt(frame.lineNumber, frame.columnNumber);
      if (!source) return `${bundle} › (unmapped)`;
      const next = source.indexOf('node_modules/next/dist/');
      return next >= 0
        ? `${bundle} › next › ${nextArea(source.slice(next + 'node_modules/next/dist/'.length))}`
        : `${bundle} › ${packageOf(source)}`;
    }
    const next = path.indexOf('node_modules/next/dist/');
    if (next >= 0) return `next › ${nextArea(path.slice(next + 'node_modules/next/dist/'.length))}`;
    return packageOf(path);
  };
}

function nextArea(rest: string): string {
  const parts = rest.split('/');
  if (parts[0] === 'compiled') {
    return `compiled/${parts[1]?.startsWith('@') ? `${parts[1]}/${parts[2]}` : parts[1]}`;
  }
  if (parts[0] === 'server' && parts[1] === 'web') return `server/web/${parts[2]}`;
  return parts.slice(0, 2).join('/');
}
