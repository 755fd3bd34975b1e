import { diagnose, type DiagnoseOptions } from './diagnose';
import { formatJson, formatText, type EnvSource } from './output';

export interface RunOptions extends DiagnoseOptions, Partial<EnvSource> {}

export interface RunResult {
  readonly output: string;
  /** 0: nothing failed (warnings allowed); 1: a check failed; 2: unknown arguments. */
  readonly exitCode: number;
}

const USAGE = `Usage: npm run doctor [-- --json]

Checks the configuration the app would run with (.env files loaded as next does) against the
Scalekit environment, Upstash and the browser's cookie rules: one line per check, ✓ passed,
! warning, ✗ failed (exit status 1), - not checked. --json prints the report as JSON instead.
`;

/**
 * The doctor, given its arguments and an environment that is already loaded: what it prints and
 * its exit status. It never reads `process.env` itself, so tests can hand it any environment.
 *
 * @example
 * const { output, exitCode } = await runDoctor(['--json'], process.env, { envFiles: ['.env.local'] });
 */
export async function runDoctor(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  options: RunOptions = {},
): Promise<RunResult> {
  const json = argv.includes('--json');
  const unknown = argv.filter((arg) => arg !== '--json');
  if (unknown.length > 0) {
    const help = unknown.every((arg) => arg === '--help' || arg === '-h');
    return {
      output: help ? USAGE : `Unknown argument: ${unknown[0]}\n\n${USAGE}`,
      exitCode: help ? 0 : 2,
    };
  }
  const report = await diagnose(env, options);
  const source = { envFiles: options.envFiles ?? [] };
  return {
    output: json ? formatJson(report, source) : formatText(report, source),
    exitCode: report.ok ? 0 : 1,
  };
}
