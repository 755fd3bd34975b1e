import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { digest, isCurrent, readFileSet, stamp } from './build-inputs';
import { spawnChild } from './children';
import { PEERS_DIR, PEERS_SOURCE_DIR, ROOT } from './paths';

/** Packages the variants share with the app: the peers' install must have the app's versions. */
const SHARED_WITH_THE_APP = [
  'next',
  'react',
  'react-dom',
  'jose',
  'typescript',
  '@types/react',
  '@types/node',
];
const MANIFESTS = ['package.json', 'package-lock.json'];

/**
 * Installs test/tools/bench/peers (the peer libraries, pinned by its lockfile, and the app's own
 * next, react and jose) into {@link PEERS_DIR} with `npm ci`, unless the install there came from
 * the same lockfile. Fails when a shared package's version differs from the app's.
 */
export async function installPeers(): Promise<{ skipped: boolean; ms: number }> {
  checkSharedVersions();
  const files = await readFileSet(PEERS_SOURCE_DIR, MANIFESTS);
  const inputs = digest(files);
  if (await isCurrent(PEERS_DIR, inputs, 'node_modules/.package-lock.json')) {
    return { skipped: true, ms: 0 };
  }
  const started = Date.now();
  await mkdir(PEERS_DIR, { recursive: true });
  for (const file of MANIFESTS) await copyFile(join(PEERS_SOURCE_DIR, file), join(PEERS_DIR, file));
  const child = spawnChild('npm ci (peers)', 'npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: PEERS_DIR,
    env: process.env,
  });
  const [code] = (await once(child.process, 'exit')) as [number | null];
  if (code !== 0 || !existsSync(join(PEERS_DIR, 'node_modules/.package-lock.json'))) {
    throw new Error(`npm ci in ${PEERS_DIR} failed (${code}):\n${child.output()}`);
  }
  await stamp(PEERS_DIR, inputs);
  return { skipped: false, ms: Date.now() - started };
}

function checkSharedVersions(): void {
  const read = (dir: string) =>
    JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
  const app = read(ROOT);
  const peers = read(PEERS_SOURCE_DIR).dependencies ?? {};
  for (const name of SHARED_WITH_THE_APP) {
    const wanted = app.dependencies?.[name] ?? app.devDependencies?.[name];
    if (peers[name] !== wanted) {
      throw new Error(
        `test/tools/bench/peers/package.json pins ${name} ${peers[name]}, the app ${wanted}: update it (and its lockfile with npm install --package-lock-only)`,
      );
    }
  }
}
