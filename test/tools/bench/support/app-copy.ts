import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { spawnChild } from './children';
import { ROOT, TMP_DIR } from './paths';

/** The throwaway copy of the app the HTTP sections build and serve (outside the repository). */
export const COPY_DIR = join(TMP_DIR, 'app');
export const NEXT_BIN = createRequire(import.meta.url).resolve('next/dist/bin/next');

/** Everything `next build` reads from the product, copied as it is. */
const PRODUCT_FILES = ['app', 'lib', 'public', 'middleware.ts', 'next.config.ts', 'tsconfig.json'];
const PRODUCT_PACKAGE = 'package.json';

/**
 * Files only the copy has. The product has no unprotected twin of `/dashboard` and must not get
 * one, so the copy adds `/bench-twin` (the dashboard page itself, re-exported) and leaves it out
 * of the middleware's matcher, as `/api/health` is. The two echo routes show which `x-auth-*`
 * request headers reach a route, on a matched public path and on a protected one.
 */
const BENCH_ONLY_FILES: Record<string, string> = {
  'app/bench-twin/page.tsx': `export { default } from '../dashboard/page';\n`,
  'app/bench-echo/route.ts': echoRoute(),
  'app/api/protected/bench-echo/route.ts': echoRoute(),
};

function echoRoute(): string {
  return [
    `import type { NextRequest } from 'next/server';`,
    ``,
    `export function GET(request: NextRequest) {`,
    `  const seen = [...request.headers].filter(([name]) => name.startsWith('x-auth-'));`,
    `  return Response.json(Object.fromEntries(seen), { headers: { 'Cache-Control': 'no-store' } });`,
    `}`,
    ``,
  ].join('\n');
}

/** What the copy changes in the product's files, for the report. */
export const COPY_DIFFERENCES = [
  '`app/bench-twin/page.tsx` re-exports `app/dashboard/page.tsx` (an unprotected twin page)',
  "`middleware.ts`: `bench-twin$` added to the matcher's exclusions (as `api/health$` is)",
  '`app/bench-echo` and `app/api/protected/bench-echo`: routes that echo the `x-auth-*` request headers',
  "`next.config.ts`: `turbopack.root = '/'`, so Turbopack follows the copy's `node_modules` symlink to the repository's (build setting only)",
];

/** Copies the product into {@link COPY_DIR} (keeping a previous `.next/cache`) and adds the bench-only files. */
export async function prepareAppCopy(): Promise<void> {
  await mkdir(COPY_DIR, { recursive: true });
  for (const entry of await readdir(COPY_DIR)) {
    if (entry !== '.next') await rm(join(COPY_DIR, entry), { recursive: true, force: true });
  }
  for (const file of PRODUCT_FILES) {
    if (existsSync(join(ROOT, file))) {
      await cp(join(ROOT, file), join(COPY_DIR, file), { recursive: true });
    }
  }
  await cp(join(ROOT, PRODUCT_PACKAGE), join(COPY_DIR, PRODUCT_PACKAGE));
  // `next` and every other package resolve from the repository's node_modules.
  await symlink(join(ROOT, 'node_modules'), join(COPY_DIR, 'node_modules'), 'dir');
  await patch(
    'next.config.ts',
    'export default nextConfig;',
    "nextConfig.turbopack = { ...nextConfig.turbopack, root: '/' };\n\nexport default nextConfig;",
  );
  for (const [file, text] of Object.entries(BENCH_ONLY_FILES)) {
    await mkdir(join(COPY_DIR, file, '..'), { recursive: true });
    await writeFile(join(COPY_DIR, file), text);
  }
  const matcher = "matcher: ['/((?!";
  await patch('middleware.ts', matcher, `${matcher}bench-twin$|`);
}

/** Replaces the one occurrence of `marker` in the copy's `file`; fails loudly if the product changed. */
async function patch(file: string, marker: string, replacement: string): Promise<void> {
  const path = join(COPY_DIR, file);
  const text = await readFile(path, 'utf8');
  if (text.split(marker).length !== 2) {
    throw new Error(
      `${file}: expected exactly one \`${marker}\`; update test/tools/bench/support/app-copy.ts`,
    );
  }
  await writeFile(path, text.replace(marker, replacement));
}

/** True when a finished build of the copy is there to reuse. */
export function hasBuild(): boolean {
  return existsSync(join(COPY_DIR, '.next/BUILD_ID'));
}

/** `next build` of the copy with `env`; resolves to how long it took, in ms. */
export async function buildAppCopy(env: NodeJS.ProcessEnv): Promise<number> {
  const started = Date.now();
  const child = spawnChild('next build', process.execPath, [NEXT_BIN, 'build'], {
    cwd: COPY_DIR,
    env,
  });
  const [code, signal] = (await once(child.process, 'exit')) as [number | null, string | null];
  if (code !== 0) throw new Error(`next build failed (${code ?? signal}):\n${child.output()}`);
  return Date.now() - started;
}
