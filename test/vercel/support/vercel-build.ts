import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRODUCT_FILES } from '../../tools/bench/support/app-copy';
import { readFileSet, writeTree } from '../../tools/bench/support/build-inputs';
import { spawnChild } from '../../tools/bench/support/children';
import { installPinned } from '../../tools/pinned-install';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/**
 * Scratch space outside the repository, one per checkout (as the bench's): the CLI's install,
 * reused while its lockfile is unchanged, and the copy of the app that it builds.
 */
const WORK_DIR = join(
  tmpdir(),
  `scalekit-nextjs-vercel-${createHash('sha256').update(ROOT).digest('hex').slice(0, 10)}`,
);
const CLI_DIR = join(WORK_DIR, 'cli');
const APP_DIR = join(WORK_DIR, 'app');
/** The CLI's own pinned manifests (vercel 58.10.0). */
const CLI_SOURCE_DIR = fileURLToPath(new URL('../../tools/vercel-cli', import.meta.url));

/** What a Vercel deployment of this repository builds from: the product, its lockfile, vercel.json. */
const DEPLOYED_FILES = [...PRODUCT_FILES, 'package-lock.json', 'vercel.json'];

export interface VercelBuild {
  /** `.vercel/output` of the copy: the Build Output API v3 tree Vercel deploys. */
  readonly outputDir: string;
  /** Where the CLI is installed (its `node_modules` holds `@vercel/node`'s Edge glue). */
  readonly cliDir: string;
  readonly install: { skipped: boolean; ms: number };
  readonly buildMs: number;
}

/**
 * Runs Vercel's own `vercel build` (the CLI pinned in test/tools/vercel-cli, installed outside the
 * repository) on a copy of the app, offline: a `.vercel/project.json` stands for `vercel link`, so
 * no token and no call to Vercel are needed. Like Vercel, the build runs vercel.json's
 * `installCommand` (`npm ci`, from npm's cache first) and then `next build`, with `appEnv` as the
 * project's environment variables. The copy keeps its `.next` between runs (Turbopack's cache).
 *
 * @example
 * const { outputDir } = await vercelBuild({ SCALEKIT_ENV_URL: keys.issuer, … });
 */
export async function vercelBuild(appEnv: Record<string, string>): Promise<VercelBuild> {
  const install = await installPinned({
    name: 'vercel CLI',
    source: CLI_SOURCE_DIR,
    target: CLI_DIR,
    // Its one install script is esbuild's binary check; `vercel build` runs without it.
    ignoreScripts: true,
  });
  await writeTree(APP_DIR, await readFileSet(ROOT, DEPLOYED_FILES));
  await mkdir(join(APP_DIR, '.vercel'), { recursive: true });
  await writeFile(
    join(APP_DIR, '.vercel/project.json'),
    JSON.stringify({
      projectId: 'prj_vercel_build_check',
      orgId: 'team_vercel_build_check',
      settings: { framework: 'nextjs' },
    }),
  );

  const started = Date.now();
  const child = spawnChild(
    'vercel build',
    process.execPath,
    [join(CLI_DIR, 'node_modules/vercel/dist/vc.js'), 'build', '--yes'],
    { cwd: APP_DIR, env: buildEnv(appEnv) },
  );
  // A test run that ends mid-build takes the build (npm ci, next build) with it.
  const orphanGuard = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  };
  process.once('exit', orphanGuard);
  try {
    const [code, signal] = (await once(child.process, 'exit')) as [number | null, string | null];
    if (code !== 0) throw new Error(`vercel build failed (${code ?? signal}):\n${child.output()}`);
  } finally {
    process.off('exit', orphanGuard);
  }
  return {
    outputDir: join(APP_DIR, '.vercel/output'),
    cliDir: CLI_DIR,
    install,
    buildMs: Date.now() - started,
  };
}

/**
 * This machine's environment without the test runner's or any app configuration, then `appEnv`:
 * no prompts (`CI`), no telemetry, and `npm ci` served from npm's cache when it can be.
 */
function buildEnv(appEnv: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CI: '1',
    VERCEL_TELEMETRY_DISABLED: '1',
    NEXT_TELEMETRY_DISABLED: '1',
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };
  // No NODE_ENV either, as on Vercel: `npm ci` installs the devDependencies `next build` needs.
  for (const name of Object.keys(env)) {
    if (/^(SCALEKIT_|APP_URL|SESSION_|UPSTASH_|KV_|NODE_ENV|VITEST|TEST$)/.test(name)) {
      Reflect.deleteProperty(env, name);
    }
  }
  return Object.assign(env, appEnv);
}
