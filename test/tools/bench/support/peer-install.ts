import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installPinned } from '../../pinned-install';
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

/**
 * Installs test/tools/bench/peers (the peer libraries, pinned by its lockfile, and the app's own
 * next, react and jose) into {@link PEERS_DIR} with `npm ci`, unless the install there came from
 * the same lockfile. Fails when a shared package's version differs from the app's.
 */
export async function installPeers(): Promise<{ skipped: boolean; ms: number }> {
  checkSharedVersions();
  return installPinned({ name: 'peers', source: PEERS_SOURCE_DIR, target: PEERS_DIR });
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
