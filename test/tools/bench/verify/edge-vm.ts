import { EdgeVM } from '@edge-runtime/vm';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import type { EdgeTaskInput } from './edge-tasks';
import type { OpStat } from './measure';

/**
 * Runs {@link runEdgeTasks} inside `@edge-runtime/vm`: edge-vm-entry.ts is bundled the way the
 * Edge resolves modules (browser platform, `edge-light`/`worker`/`browser` conditions, so jose's
 * WebCrypto build) and evaluated in a fresh EdgeVM whose `process.env` holds `env`. Timing
 * happens inside the VM; only `performance.now` is lent from the host (EdgeVM has none).
 */
export async function runInEdgeVm(
  input: EdgeTaskInput,
  env: Record<string, string>,
): Promise<{ stats: OpStat[]; bundleBytes: number }> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./edge-vm-entry.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    conditions: ['edge-light', 'worker', 'browser'],
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text;
  const hostNow = performance.now.bind(performance);
  const vm = new EdgeVM({
    extend: (context) =>
      Object.assign(context, {
        process: { env: { ...env } },
        performance: { now: hostNow, timeOrigin: performance.timeOrigin },
      }),
  });
  vm.evaluate(code);
  const run = vm.evaluate<(input: string) => Promise<string>>('globalThis.__runEdgeTasks');
  const stats = JSON.parse(await run(JSON.stringify(input))) as OpStat[];
  return { stats, bundleBytes: Buffer.byteLength(code) };
}
