import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_TITLES } from '@/lib/cli/doctor/report';
import {
  checkLines,
  expectNoSecrets,
  lineOf,
  notPassing,
  startDoctorTargets,
  type DoctorTargets,
} from '../../../support/doctor';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const require = createRequire(import.meta.url);

let targets: DoctorTargets;
let cwd: string;

beforeAll(async () => {
  targets = await startDoctorTargets();
});
afterAll(() => targets?.close());
afterEach(() => rm(cwd, { recursive: true, force: true }));

/** `env` as an env file, the way a developer writes `.env.local`. */
function envFile(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([name, value]) => `${name}=${value}\n`)
    .join('');
}

/**
 * Runs `npm run doctor`'s own command line (read from package.json) in a fresh directory holding
 * only the given env files, with an environment that holds no configuration: everything the
 * doctor sees comes from those files, loaded as `next` loads them. Relative paths in the script
 * are resolved against the project, since the directory is not the project root.
 */
async function runCli(
  files: Record<string, string>,
  argv: string[] = [],
  env: Record<string, string> = {},
) {
  cwd = await mkdtemp(join(tmpdir(), 'doctor-'));
  for (const [name, contents] of Object.entries(files)) await writeFile(join(cwd, name), contents);
  const { scripts } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [command, ...args] = scripts.doctor!.split(' ');
  expect(command).toBe('node');
  const resolved = args.map((arg) => {
    if (arg === 'tsx') return pathToFileURL(require.resolve('tsx')).href;
    return arg.startsWith('lib/') ? join(root, arg) : arg;
  });
  // No NODE_ENV unless given (vitest's "test" would pick other env files); Next's typings make
  // it a required key, hence the cast.
  const childEnv = {
    PATH: process.env.PATH,
    // tsx reads the `@/` path alias from the tsconfig of the working directory.
    TSX_TSCONFIG_PATH: join(root, 'tsconfig.json'),
    ...env,
  } as Record<string, string | undefined> as NodeJS.ProcessEnv;
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [...resolved, ...argv],
      {
        cwd,
        env: childEnv,
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        resolve({ code: error ? (error.code as number | null) : 0, stdout, stderr });
      },
    );
  });
}

describe('npm run doctor, the command line', () => {
  it('reads .env.local from its directory, passes every check, exits 0, and prints no secret', async () => {
    const { code, stdout, stderr } = await runCli({ '.env.local': envFile(targets.env) });
    expect(stderr).toBe('');
    expect(checkLines(stdout).map((line) => `${line.id}:${line.status}`)).toEqual(
      Object.keys(CHECK_TITLES).map((id) => `${id}:pass`),
    );
    expect(stdout).toMatch(
      /\ndoctor: 8 passed, 0 warnings, 0 failed \(variables from \.env\.local and the environment\)\n$/,
    );
    expect(code).toBe(0);
    expectNoSecrets(stdout, targets.env);
  });

  it('exits 1 on a failed check, printing its fix and still no secret', async () => {
    const env = { ...targets.env, SCALEKIT_CLIENT_SECRET: 'wrong-secret-91c2e7' };
    const { code, stdout } = await runCli({ '.env.local': envFile(env) });
    expect(notPassing(stdout)).toEqual(['client:fail']);
    expect(lineOf(stdout, 'client')).toMatch(
      /^wrong client id or secret: .* → Copy SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET/,
    );
    expect(code).toBe(1);
    expectNoSecrets(stdout, targets.env, env);
  });

  it('loads .env.production instead of .env.development under NODE_ENV=production, as next build does', async () => {
    const { code, stdout } = await runCli(
      {
        '.env': envFile(targets.env),
        '.env.development': 'APP_URL=https://app.example.com\n',
        '.env.production': 'APP_URL=https://production.example.com\n',
      },
      [],
      { NODE_ENV: 'production' },
    );
    expect(notPassing(stdout)).toEqual(['callback:fail']);
    expect(lineOf(stdout, 'callback')).toContain('https://production.example.com/api/callback');
    expect(stdout).toMatch(/\(variables from \.env\.production, \.env and the environment\)\n$/);
    expect(code).toBe(1);
  });

  it('prints a machine-readable report with --json', async () => {
    targets.issuer.setDateSkew(30);
    try {
      const { code, stdout } = await runCli({ '.env.local': envFile(targets.env) }, ['--json']);
      const report = JSON.parse(stdout) as {
        ok: boolean;
        envFiles: string[];
        checks: {
          id: string;
          title: string;
          status: string;
          summary: string;
          fix?: string;
          measured?: Record<string, number>;
        }[];
      };
      expect(report.ok).toBe(false);
      expect(report.envFiles).toEqual(['.env.local']);
      expect(report.checks.map(({ id, title, status }) => [id, title, status])).toEqual(
        Object.entries(CHECK_TITLES).map(([id, title]) => [
          id,
          title,
          id === 'clock' ? 'fail' : 'pass',
        ]),
      );
      const clock = report.checks.find((check) => check.id === 'clock')!;
      expect(clock.summary).toMatch(/ s behind the environment's, beyond the 5 s/);
      expect(clock.fix).toMatch(/^Synchronise this machine's clock/);
      expect(clock.measured!.skewSeconds).toBeGreaterThan(29);
      expect(clock.measured!.skewSeconds).toBeLessThan(31);
      const upstash = report.checks.find((check) => check.id === 'upstash')!;
      expect(upstash.measured!.roundTripMs).toBeGreaterThan(0);
      expect(
        report.checks
          .filter((check) => check.status === 'pass')
          .every((check) => check.fix === undefined),
      ).toBe(true);
      expect(code).toBe(1);
      expectNoSecrets(stdout, targets.env);
    } finally {
      targets.issuer.setDateSkew(0);
    }
  });
});
