import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
/** Where the report and its raw numbers are written. */
export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
/**
 * Scratch space outside the repository (the app copy, the peers' install and builds, CPU
 * profiles), one per checkout: inside the tree, `eslint .` and `npx eslint test/tools/bench`
 * would lint the copies and their build output.
 */
export const TMP_DIR = join(
  tmpdir(),
  `scalekit-nextjs-bench-${createHash('sha256').update(ROOT).digest('hex').slice(0, 10)}`,
);
/** The peer benchmark's app and the pinned peer libraries, as committed. */
export const PEERS_SOURCE_DIR = join(BENCH_DIR, 'peers');
/** Where the peers are installed (`node_modules`) and each variant is built and served. */
export const PEERS_DIR = join(TMP_DIR, 'peers');
