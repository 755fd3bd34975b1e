import { TREND_MEASURES, type SoakResult, type Trend } from '../sections/soak';
import { num, statuses, table } from './format';

/** Growth of a fitted trend across the second half that still counts as flat. */
export const FLAT_GROWTH_PCT = 5;

const LABELS: Record<(typeof TREND_MEASURES)[number], string> = {
  rssMiB: 'RSS',
  heapUsedMiB: 'JavaScript heap used',
  externalMiB: 'external (C++ objects bound to JavaScript)',
  arrayBuffersMiB: '… of which ArrayBuffers and Buffers',
};

/** Whether RSS and the heap each stay within {@link FLAT_GROWTH_PCT} along their fitted trend. */
export function isFlat(soak: SoakResult): boolean {
  return (
    soak.trend.rssMiB.growthPct < FLAT_GROWTH_PCT &&
    soak.trend.heapUsedMiB.growthPct < FLAT_GROWTH_PCT
  );
}

/** The least-squares trend of each measure across the second half, as a table. */
export function trendTable(soak: SoakResult): string {
  const signed = (value: number, digits: number) => `${value >= 0 ? '+' : ''}${num(value, digits)}`;
  return table(
    ['measure', 'trend at the half’s start MiB', 'at the end MiB', 'growth', 'slope MiB/min'],
    TREND_MEASURES.map((measure) => {
      const trend: Trend = soak.trend[measure];
      return [
        LABELS[measure],
        num(trend.startMiB, 1),
        num(trend.endMiB, 1),
        `${signed(trend.growthPct, 1)} %`,
        signed(trend.slopeMiBPerMinute, 3),
      ];
    }),
  );
}

/** The traffic a soak ran, in one sentence. */
export function soakTraffic(soak: SoakResult): string {
  const { plan, run } = soak;
  return `One \`next start\` instance (in-memory store) under mixed protected traffic for ${plan.warmupSeconds} s of warm-up and then ${plan.seconds} s sampled, at ${plan.connections} connections: the API (\`/api/protected/health\`, \`/api/protected/me\`), a document (\`/dashboard\`) and an RSC-like request (\`/dashboard/admin\`) with one of ${num(plan.sessions)} distinct sessions at random, an expired token, and no session. ${num(run.requests)} requests (${num(run.rps)} rps; statuses ${statuses(run.statusCodes)}; ${run.errors} socket errors/timeouts). \`process.memoryUsage()\` is read inside the server every ${num(plan.sampleEveryMs / 1000)} s (test/tools/bench/support/memory-sampler.mjs).`;
}
