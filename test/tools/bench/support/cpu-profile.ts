/** Reading V8 CPU profiles (`.cpuprofile`, from `--cpu-prof` or the inspector). */

export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Self time (µs) spent in one group of code during a window. */
export interface CostLine {
  name: string;
  us: number;
  share: number;
}

export interface ProfileWindow {
  /** Monotonic microseconds, the clock of `process.hrtime` and of V8's profiler on Linux. */
  fromUs: number;
  toUs: number;
}

/**
 * Adds up self time per key over the samples inside `windows` (all samples when omitted). `key`
 * names the code a sample's innermost frame belongs to; the sample's duration is the time to the
 * next sample.
 */
export function selfTime(
  profile: CpuProfile,
  key: (frame: CpuProfile['nodes'][number]['callFrame']) => string,
  windows?: readonly ProfileWindow[],
): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const sorted = windows && [...windows].sort((a, b) => a.fromUs - b.fromUs);
  const totals = new Map<string, number>();
  let time = profile.startTime;
  let next = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i] ?? 0;
    const duration = profile.timeDeltas[i + 1] ?? 0;
    if (sorted) {
      // Samples come in time order: skip the windows that ended before this one.
      while (next < sorted.length && time >= sorted[next]!.toUs) next++;
      if (next === sorted.length) break;
      if (time < sorted[next]!.fromUs) continue;
    }
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    const name = key(node.callFrame);
    totals.set(name, (totals.get(name) ?? 0) + duration);
  }
  return totals;
}

/** The largest entries first, with their share of everything that was not idle. */
export function topCosts(totals: Map<string, number>, limit: number): CostLine[] {
  const busy = [...totals].filter(([name]) => name !== '(idle)');
  const sum = busy.reduce((total, [, us]) => total + us, 0);
  return busy
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, us]) => ({ name, us, share: sum ? us / sum : 0 }));
}

/** `function (file:line)` with the path shortened to the package or repository file. */
export function frameName(frame: CpuProfile['nodes'][number]['callFrame']): string {
  if (!frame.url) return frame.functionName || '(native)';
  return `${frame.functionName || '(anonymous)'} (${shortUrl(frame.url)}:${frame.lineNumber + 1})`;
}

/**
 * The package a frame's or source map's file belongs to, or the app directory (`lib/edge`,
 * `lib/server`, `app`, `middleware.ts`, `proxy.ts`) for the project's own code, in the repository or a copy.
 */
export function packageOf(url: string): string {
  if (!url) return '(native / V8 builtins)';
  if (url.startsWith('node:')) return 'node internals';
  const path = safeDecode(url);
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = path.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  // The project's own files, in the repository or in one of the bench's copies.
  const project = path
    .replace(/^.*\/scalekit-nextjs-bench-[0-9a-f]+\/(app|peers\/src)\//, '')
    .replace(/^(\.\.\/)+/, '');
  const match = /(?:^|\/)(lib\/[\w-]+|app|middleware\.ts|proxy\.ts)(?:\/|$)/.exec(project);
  return match ? match[1]! : shortUrl(path);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const repo = url.indexOf('/lib/');
  return repo >= 0 ? url.slice(repo + 1) : url.replace(/^file:\/\//, '');
}
