import { symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { digest, isCurrent, readFileSet, stamp, writeTree, type FileSet } from './build-inputs';
import { nextBuild } from './next-build';
import { ROOT, TMP_DIR } from './paths';

/**
 * The throwaway copy of the whole app (outside the repository) that the sections measuring the
 * product itself serve: JWKS fetches, the refresh race, load and the bundle size.
 */
export const COPY_DIR = join(TMP_DIR, 'app');
export const NEXT_BIN = createRequire(import.meta.url).resolve('next/dist/bin/next');

/** Everything `next build` reads from the product, copied as it is. */
export const PRODUCT_FILES = [
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

/** A copy of the product with some of its files changed, built in its own directory. */
export interface AppVariant {
  /** Names its directory (`<TMP_DIR>/app-<name>`) and its build's log lines. */
  readonly name: string;
  /** Changes the product's files (paths relative to the root) before the build. */
  readonly change: (files: FileSet) => void;
}

/** Where a variant of the copy is built and served from ({@link COPY_DIR} for the product as it is). */
export function variantDir(variant?: AppVariant): string {
  return variant ? join(TMP_DIR, `app-${variant.name}`) : COPY_DIR;
}

/**
 * Copies the product into {@link COPY_DIR} (or a variant into its own directory) and runs
 * `next build` there, unless the copy was built from exactly these files (and the same lockfile)
 * before; a previous `.next/cache` is kept.
 */
export async function buildAppCopy(
  variant?: AppVariant,
): Promise<{ skipped: boolean; ms: number }> {
  const dir = variantDir(variant);
  const files = await readFileSet(ROOT, PRODUCT_FILES);
  variant?.change(files);
  const config = files.get('next.config.ts')?.toString() ?? '';
  if (config.split(CONFIG_MARKER).length !== 2) {
    throw new Error(
      `next.config.ts: expected exactly one \`${CONFIG_MARKER}\`; update test/tools/bench/support/app-copy.ts`,
    );
  }
  files.set('next.config.ts', config.replace(CONFIG_MARKER, CONFIG_PATCH));
  const lock = await readFileSet(ROOT, ['package-lock.json']);
  const inputs = digest(files, digest(lock));
  if (await isCurrent(dir, inputs, '.next/BUILD_ID')) return { skipped: true, ms: 0 };

  await writeTree(dir, files);
  // `next` and every other package resolve from the repository's node_modules.
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const label = variant ? `app copy, ${variant.name}` : 'app copy';
  const ms = await nextBuild(`next build (${label})`, NEXT_BIN, dir);
  await stamp(dir, inputs);
  return { skipped: false, ms };
}
