import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const CONFIG_MARKER = 'export default nextConfig;';

/**
 * A copy of the product in a fresh temporary folder, for a build that must differ from the
 * project's own (`proxy.ts` instead of `middleware.ts`): the product files as they are, then
 * `change` applied. `node_modules` is the repository's, through a symlink, and Turbopack is told
 * to follow it out of the copy (a build setting only).
 */
export async function copyProduct(change: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'scalekit-nextjs-copy-'));
  for (const file of [
    'app',
    'lib',
    'middleware.ts',
    'next.config.ts',
    'tsconfig.json',
    'package.json',
  ]) {
    await cp(join(root, file), join(dir, file), { recursive: true });
  }
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const config = await readFile(join(dir, 'next.config.ts'), 'utf8');
  if (config.split(CONFIG_MARKER).length !== 2) {
    throw new Error(`next.config.ts: expected exactly one \`${CONFIG_MARKER}\``);
  }
  await writeFile(
    join(dir, 'next.config.ts'),
    config.replace(CONFIG_MARKER, `nextConfig.turbopack = { root: '/' };\n${CONFIG_MARKER}`),
  );
  await mkdir(join(dir, 'public'), { recursive: true });
  await change(dir);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
