import { CHECK_TITLES, type CheckStatus, type DoctorReport } from './report';

const SYMBOLS: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', skip: '-' };

/** Where the variables came from: the env files `@next/env` loaded, in its order of precedence. */
export interface EnvSource {
  readonly envFiles: readonly string[];
}

/**
 * One line per check (`✓`, `!`, `✗`, or `-` for not checked), the fix after an arrow on failures
 * and warnings, then a count and where the variables came from.
 *
 * @example
 * process.stdout.write(formatText(report, { envFiles: ['.env.local'] }));
 * // ✓ configuration: every variable the app reads is valid
 * // ✗ client id and secret: wrong client id or secret: … → Copy SCALEKIT_CLIENT_ID and …
 */
export function formatText(report: DoctorReport, { envFiles }: EnvSource): string {
  const lines = report.checks.map(
    (check) =>
      `${SYMBOLS[check.status]} ${CHECK_TITLES[check.id]}: ${check.summary}${check.fix ? ` → ${check.fix}` : ''}`,
  );
  const count = (status: CheckStatus) => report.checks.filter((c) => c.status === status).length;
  const tally = [
    `${count('pass')} passed`,
    `${count('warn')} ${count('warn') === 1 ? 'warning' : 'warnings'}`,
    `${count('fail')} failed`,
    ...(count('skip') > 0 ? [`${count('skip')} not checked`] : []),
  ];
  const from =
    envFiles.length > 0 ? `${envFiles.join(', ')} and the environment` : 'the environment';
  lines.push('', `doctor: ${tally.join(', ')} (variables from ${from})`);
  return `${lines.join('\n')}\n`;
}

/**
 * The report as JSON, for CI: `{ ok, envFiles, checks: [{ id, title, status, summary, fix?,
 * measured? }] }`.
 *
 * @example
 * const { ok, checks } = JSON.parse(formatJson(report, { envFiles: [] }));
 */
export function formatJson(report: DoctorReport, { envFiles }: EnvSource): string {
  const checks = report.checks.map(({ id, ...check }) => ({
    id,
    title: CHECK_TITLES[id],
    ...check,
  }));
  return `${JSON.stringify({ ok: report.ok, envFiles, checks }, null, 2)}\n`;
}
