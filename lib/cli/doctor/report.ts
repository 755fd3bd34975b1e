/**
 * `pass` ✓, `warn` !, `fail` ✗ (the doctor exits non-zero), `skip` -: not run, because what it
 * needs (a valid variable, a reachable environment) is reported as broken by another check.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** Every check, in report order, with what it is called on its line. */
export const CHECK_TITLES = {
  config: 'configuration',
  issuer: 'issuer',
  keys: 'signing keys',
  client: 'client id and secret',
  callback: 'callback URL',
  clock: 'clock',
  upstash: 'Upstash',
  cookies: 'cookies',
} as const;

/** Stable, for `--json` consumers. */
export type CheckId = keyof typeof CHECK_TITLES;

/** One line of the doctor's report. Nothing in it is ever a secret or a token. */
export interface CheckResult {
  readonly id: CheckId;
  readonly status: CheckStatus;
  /** What was found. */
  readonly summary: string;
  /** For `warn` and `fail`: what to do about it, in one sentence. */
  readonly fix?: string;
  /** Measured figures, e.g. `{ skewSeconds: 30.1 }` or `{ roundTripMs: 1.2 }`. */
  readonly measured?: Readonly<Record<string, number>>;
}

export interface DoctorReport {
  /** False when any check failed. */
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
}

/**
 * A report from its checks: `ok` unless one failed.
 *
 * @example
 * const report = toReport([{ id: 'keys', status: 'pass', summary: 'one RS256 key' }]);
 * report.ok; // true
 */
export function toReport(checks: readonly CheckResult[]): DoctorReport {
  return { ok: checks.every((check) => check.status !== 'fail'), checks };
}
