import type { AppVariantsResult } from '../sections/app-variants';
import { num, ratio, table } from './format';

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
      ['row', 'request', 'rps', 'p50 ms', 'p99 ms', 'vs'],
      result.rows.map((row) => [
        row.label,
        row.request,
        num(row.median.rps),
        num(row.median.p50Ms),
        num(row.median.p99Ms),
        row.baseline ? `${ratio(row.vsBaseline)} ${label(row.baseline)}` : 'baseline',
      ]),
    ),
    '',
  ].join('\n');
}
