import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { packageOf, selfTime, type CpuProfile, type ProfileWindow } from '../support/cpu-profile';
import { load, type LoadRun } from '../support/load';
import { startApp, type AppOptions } from '../support/next-app';
import { TMP_DIR } from '../support/paths';
import { readMappedFile, type MappedFile } from '../support/source-map';

/** One stretch of identical requests sent to the profiled instance. */
export interface ProfilePhase {
  label: string;
  path: string;
  cookie: string;
}

export interface PhaseCost {
  label: string;
  rps: number;
  p50Ms: number;
  statuses: Record<string, number>;
  /** Main-thread CPU per request (self time of every non-idle sample in the phase). */
  busyUsPerRequest: number;
  /** Share of the phase's wall time the main thread was idle (waiting on I/O or timers). */
  idleShare: number;
  /** Main-thread self time per request, by the code it ran in. */
  byCategory: Record<string, number>;
}

export interface ServerProfileResult {
  instance: string;
  requestsPerPhase: number;
  connections: number;
  phases: PhaseCost[];
}

const PROFILE_DIR = join(TMP_DIR, 'cpu-profiles');

/**
 * Where next-server's time goes: one instance runs under `--cpu-prof` while the bench sends
 * `requests` identical requests per phase, with pauses between phases. Samples are split by phase
 * on the monotonic clock (V8's profiler and `process.hrtime` share it on Linux) and grouped by
 * the code they were in; frames in the Edge bundle are traced through its source map to the
 * package they came from.
 */
export async function profileServer(
  options: Omit<AppOptions, 'name' | 'nodeArgs'> & { name: string },
  phases: ProfilePhase[],
  requests: number,
  connections = 10,
): Promise<ServerProfileResult> {
  const dir = join(PROFILE_DIR, options.name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const app = await startApp({
    ...options,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=200'],
  });
  const target = (phase: ProfilePhase) => ({
    label: phase.label,
    url: `${app.url}${phase.path}`,
    headers: { cookie: phase.cookie },
  });
  const measured: Array<{ phase: ProfilePhase; window: ProfileWindow; run: LoadRun }> = [];
  try {
    for (const phase of phases) await load(target(phase), { connections, amount: 300 });
    for (const phase of phases) {
      await sleep(500);
      const fromUs = monotonicUs();
      const run = await load(target(phase), { connections, amount: requests });
      measured.push({ phase, window: { fromUs, toUs: monotonicUs() }, run });
    }
  } finally {
    await app.stop();
  }
  const profile = await readProfile(dir);
  const key = categorizer();
  return {
    instance: options.name,
    requestsPerPhase: requests,
    connections,
    phases: measured.map(({ phase, window, run }) => {
      const totals = selfTime(profile, key, window);
      const idle = totals.get('(idle)') ?? 0;
      const busy = [...totals].reduce((sum, [name, us]) => (name === '(idle)' ? sum : sum + us), 0);
      totals.delete('(idle)');
      return {
        label: phase.label,
        rps: run.rps,
        p50Ms: run.p50Ms,
        statuses: run.statusCodes,
        busyUsPerRequest: busy / requests,
        idleShare: idle / (window.toUs - window.fromUs),
        byCategory: Object.fromEntries([...totals].map(([name, us]) => [name, us / requests])),
      };
    }),
  };
}

/** Per-request cost by category of phase `b` minus phase `a`, largest increase first. */
export function costDifference(a: PhaseCost, b: PhaseCost) {
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

function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

async function readProfile(dir: string): Promise<CpuProfile> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length !== 1) {
    throw new Error(`expected one CPU profile in ${dir}, found ${files.length}`);
  }
  return JSON.parse(await readFile(join(dir, files[0]!), 'utf8')) as CpuProfile;
}

/**
 * Names the code a sample ran in: the Edge bundle by source package (Next's adapter, jose,
 * lib/edge, …), Next's Node side by directory, then Node internals, GC and V8 builtins.
 */
function categorizer() {
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
    if (path.includes('/.next/server/edge/')) {
      const source = mapFor(path)?.sourceAt(frame.lineNumber, frame.columnNumber);
      if (!source) return 'middleware bundle › (unmapped)';
      const next = source.indexOf('node_modules/next/dist/');
      return next >= 0
        ? `middleware bundle › next › ${nextArea(source.slice(next + 'node_modules/next/dist/'.length))}`
        : `middleware bundle › ${packageOf(source)}`;
    }
    if (path.includes('/.next/server/')) return 'app server bundle (.next/server)';
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
