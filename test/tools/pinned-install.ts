import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { digest, isCurrent, readFileSet, stamp } from './bench/support/build-inputs';
import { spawnChild } from './bench/support/children';

const MANIFESTS = ['package.json', 'package-lock.json'];
/** npm writes it once an install finished: a half-done install is never taken for current. */
const INSTALLED = 'node_modules/.package-lock.json';

export interface PinnedInstall {
  /** Names the install in errors, e.g. `peers`. */
  readonly name: string;
  /** The committed `package.json` and `package-lock.json`. */
  readonly source: string;
  /** Where `node_modules` goes: outside the repository, so lint and typecheck never see it. */
  readonly target: string;
  /** `npm ci --ignore-scripts`, for packages that work without their install scripts. */
  readonly ignoreScripts?: boolean;
}

/**
 * Installs tools pinned by a committed lockfile (the bench's peers, Vercel's CLI) outside the
 * repository with `npm ci`, unless the install in `target` came from the same manifests.
 * Resolves to how long the install took (`skipped` when it was current).
 *
 * @example
 * const { skipped, ms } = await installPinned({ name: 'peers', source: PEERS_SOURCE_DIR, target: PEERS_DIR });
 */
export async function installPinned(
  install: PinnedInstall,
): Promise<{ skipped: boolean; ms: number }> {
  const { name, source, target } = install;
  const inputs = digest(await readFileSet(source, MANIFESTS));
  if (await isCurrent(target, inputs, INSTALLED)) return { skipped: true, ms: 0 };
  const started = Date.now();
  await mkdir(target, { recursive: true });
  for (const file of MANIFESTS) await copyFile(join(source, file), join(target, file));
  const args = [
    'ci',
    '--no-audit',
    '--no-fund',
    ...(install.ignoreScripts ? ['--ignore-scripts'] : []),
  ];
  const child = spawnChild(`npm ci (${name})`, 'npm', args, { cwd: target, env: process.env });
  const [code] = (await once(child.process, 'exit')) as [number | null];
  if (code !== 0 || !existsSync(join(target, INSTALLED))) {
    throw new Error(`npm ci in ${target} failed (${code}):\n${child.output()}`);
  }
  await stamp(target, inputs);
  return { skipped: false, ms: Date.now() - started };
}
