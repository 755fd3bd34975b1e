import { symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { digest, isCurrent, readFileSet, stamp, writeTree } from './build-inputs';
import { nextBuild } from './next-build';
import { ROOT, TMP_DIR } from './paths';

/**
 * The throwaway copy of the whole app (outside the repository) that the sections measuring the
 * product itself serve: JWKS fetches, the refresh race, load and the bundle size.
 */
export const COPY_DIR = join(TMP_DIR, 'app');
export const NEXT_BIN = createRequire(import.meta.url).resolve('next/dist/bin/next');

/** Everything `next build` reads from the product, copied as it is. */
const PRODUCT_FILES = [
  'app',
  'lib',
  'public',
  'middleware.ts',
  'proxy.ts',
  'next.config.ts',
  'tsconfig.json',
  'package.json',
];

const CONFIG_MARKER = 'export default nextConfig;';
const CONFIG_PATCH = `nextConfig.turbopack = { ...nextConfig.turbopack, root: '/' };\n\n${CONFIG_MARKER}`;

/** What the copy changes in the product's files, for the report. */
export const COPY_DIFFERENCES = [
  "`next.config.ts`: `turbopack.root = '/'`, so Turbopack follows the copy's `node_modules` symlink to the repository's (build setting only)",
];

/**
 * Copies the product into {@link COPY_DIR} and runs `next build` there, unless the copy was
 * built from exactly these files (and the same lockfile) before; a previous `.next/cache` is kept.
 */
export async function buildAppCopy(): Promise<{ skipped: boolean; ms: number }> {
  const files = await readFileSet(ROOT, PRODUCT_FILES);
  const config = files.get('next.config.ts')?.toString() ?? '';
  if (config.split(CONFIG_MARKER).length !== 2) {
    throw new Error(
      `next.config.ts: expected exactly one \`${CONFIG_MARKER}\`; update test/tools/bench/support/app-copy.ts`,
    );
  }
  files.set('next.config.ts', config.replace(CONFIG_MARKER, CONFIG_PATCH));
  const lock = await readFileSet(ROOT, ['package-lock.json']);
  const inputs = digest(files, digest(lock));
  if (await isCurrent(COPY_DIR, inputs, '.next/BUILD_ID')) return { skipped: true, ms: 0 };

  await writeTree(COPY_DIR, files);
  // `next` and every other package resolve from the repository's node_modules.
  await symlink(join(ROOT, 'node_modules'), join(COPY_DIR, 'node_modules'), 'dir');
  const ms = await nextBuild('next build (app copy)', NEXT_BIN, COPY_DIR);
  await stamp(COPY_DIR, inputs);
  return { skipped: false, ms };
}
