import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

/**
 * What a build or an install is made from, and whether its output is still current: the bench
 * rebuilds and reinstalls only when these inputs changed.
 */

/** Files by path relative to a root. */
export type FileSet = Map<string, string | Buffer>;

/** Reads `entries` (files or directories, relative to `root`) into a {@link FileSet}; missing entries are skipped. */
export async function readFileSet(root: string, entries: readonly string[]): Promise<FileSet> {
  const files: FileSet = new Map();
  const visit = async (path: string): Promise<void> => {
    if (!(await stat(path)).isDirectory()) {
      files.set(relative(root, path), await readFile(path));
      return;
    }
    for (const name of await readdir(path)) await visit(join(path, name));
  };
  for (const entry of entries) if (existsSync(join(root, entry))) await visit(join(root, entry));
  return files;
}

/** One digest of every path and content in `files` (order-independent) and of `extra` strings. */
export function digest(files: FileSet, ...extra: string[]): string {
  const hash = createHash('sha256');
  for (const path of [...files.keys()].sort()) {
    hash.update(`${path}\0`).update(files.get(path)!).update('\0');
  }
  for (const text of extra) hash.update(`${text}\0`);
  return hash.digest('hex');
}

const STAMP = '.bench-inputs';

/**
 * True when `dir` was last produced from inputs with this digest and `done` (a file that exists
 * only once the work finished, such as `.next/BUILD_ID`) is there.
 */
export async function isCurrent(dir: string, inputs: string, done: string): Promise<boolean> {
  if (!existsSync(join(dir, done))) return false;
  return (await readFile(join(dir, STAMP), 'utf8').catch(() => '')) === inputs;
}

/** Records that `dir` now holds the result of these inputs. */
export async function stamp(dir: string, inputs: string): Promise<void> {
  await writeFile(join(dir, STAMP), inputs);
}

/** Makes `dir` hold exactly `files`, keeping its `.next` (where Turbopack keeps its cache). */
export async function writeTree(dir: string, files: FileSet): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const entry of await readdir(dir)) {
    if (entry !== '.next') await rm(join(dir, entry), { recursive: true, force: true });
  }
  for (const [path, content] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}
