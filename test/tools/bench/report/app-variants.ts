import type { AppVariantsResult } from '../sections/app-variants';
import { num, ratio, table, us } from './format';

/** The product's own variants, each next to the row it is compared with. */
export function appVariantsSection(result: AppVariantsResult): string {
  const { plan } = result;
  const label = (id: string | undefined) => result.rows.find((row) => row.id === id)?.label ?? '';
  return [
    '## Design choices, measured on the whole app',
    '',
    `Each row serves a copy of the whole product (support/app-copy.ts) with \`next start\`; a row and the row it is compared with were measured in the same ${plan.rounds} alternating rounds of ${plan.seconds} s at ${plan.connections} connections (after ${plan.warmupSeconds} s of warm-up each); "vs" is the median over rounds of the ratio of their rps. Checked first: ${result.checks.map((c) => `${c.check} (${c.ok ? 'yes' : 'NO'})`).join('; ')}.`,
    '',
    table(
      ['row', 'request', 'rps', 'p50 ms', 'p99 ms', 'main-thread CPU µs/req', 'vs'],
      result.rows.map((row) => [
        row.label,
        row.request,
        num(row.median.rps),
        num(row.median.p50Ms),
        num(row.median.p99Ms),
        us(row.mainThreadUsPerRequest),
        row.baseline ? `${ratio(row.vsBaseline)} ${label(row.baseline)}` : 'baseline',
      ]),
    ),
    '',
    strictReads(result),
    '',
  ].join('\n');
}

function strictReads({ strict, rows }: AppVariantsResult): string {
  const row = rows.find((r) => r.id === 'api-strict')!;
  const twin = rows.find((r) => r.id === row.baseline)!;
  return `**Strict revocation** (${row.label}): compared with a twin instance in the default mode that, like the strict one, serves only its own row (${ratio(row.vsBaseline)}); the twin itself served ${ratio(twin.vsBaseline)} the rps of the instance serving the other rows, the difference between two instances of one build. The middleware and the handler's \`getSession()\` each ask the revocation list (lib/edge/revocation.ts, one Upstash REST \`MGET\`), and each runtime reuses a session's answer for at most 1 s (lib/edge/recent-reads.ts). Redis served ${num(strict.mgets)} \`MGET\`s for the row's ${num(strict.requests)} requests in ${num(strict.seconds)} s (one per ${num(strict.requests / Math.max(1, strict.mgets))} requests). The staleness bound, measured: a subject revocation written to Redis as another instance writes it, for a session in use on the strict instance, was refused ${num(strict.refusedAfterMs)} ms later.`;
}
