import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningIssuer } from '../tools/scalekit-stand-in';
import { appEnvironment } from './support/app-environment';
import { DOCUMENT, send, signInOverHttp } from './support/http-session';
import { nextBuild, nextStart, type NextServer } from './support/next-process';

/**
 * The README's "Add it to an existing app", applied to a bare Next 16 App Router app exactly as
 * written: the steps are read from the README's `existing-app:*` code blocks, so the section and
 * this test cannot drift apart. Then the README's "Protect a page" recipe, a build, and a sign-in
 * over HTTP through to the protected page.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

async function readmeBlocks(): Promise<Map<string, string>> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const blocks = new Map<string, string>();
  for (const match of readme.matchAll(/^( *)```\w+ existing-app:([\w-]+)\n([\s\S]*?)^\1```$/gm)) {
    const indent = match[1]!.length;
    blocks.set(match[2]!, match[3]!.replace(new RegExp(`^ {0,${indent}}`, 'gm'), ''));
  }
  return blocks;
}

/** What `create-next-app` (App Router, TypeScript, no src/) writes, reduced to what builds. */
async function bareApp(dir: string, versions: Record<string, string>) {
  const pick = (...names: string[]) => Object.fromEntries(names.map((n) => [n, versions[n]!]));
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'an-existing-app',
        private: true,
        scripts: { build: 'next build', start: 'next start' },
        dependencies: pick('next', 'react', 'react-dom'),
        devDependencies: pick('typescript', '@types/node', '@types/react', '@types/react-dom'),
      },
      null,
      2,
    ),
  );
  await writeFile(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        lib: ['dom', 'dom.iterable', 'esnext'],
        strict: true,
        noEmit: true,
        esModuleInterop: true,
        module: 'esnext',
        moduleResolution: 'bundler',
        resolveJsonModule: true,
        isolatedModules: true,
        jsx: 'react-jsx',
        skipLibCheck: true,
        plugins: [{ name: 'next' }],
        paths: { '@/*': ['./*'] },
      },
      include: ['next-env.d.ts', '**/*.ts', '**/*.tsx', '.next/types/**/*.ts'],
      exclude: ['node_modules'],
    }),
  );
  await mkdir(join(dir, 'app'));
  await writeFile(
    join(dir, 'app/layout.tsx'),
    `export default function RootLayout({ children }: { children: React.ReactNode }) {\n  return (\n    <html lang="en">\n      <body>{children}</body>\n    </html>\n  );\n}\n`,
  );
  await writeFile(
    join(dir, 'app/page.tsx'),
    `export default function Home() {\n  return <h1>An existing app</h1>;\n}\n`,
  );
}

let dir: string;
let issuer: RunningIssuer;
let app: NextServer;
let blocks: Map<string, string>;

beforeAll(async () => {
  blocks = await readmeBlocks();
  const versions = {
    ...(
      JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
        dependencies: Record<string, string>;
      }
    ).dependencies,
    ...(
      JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
        devDependencies: Record<string, string>;
      }
    ).devDependencies,
  };
  dir = await mkdtemp(join(tmpdir(), 'scalekit-existing-app-'));
  await bareApp(dir, versions);

  // 1. Copy.
  for (const path of blocks.get('copy')!.split('\n').filter(Boolean)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await cp(join(root, path), join(dir, path), { recursive: true });
  }
  // 2. Dependencies: each command as written (the registry cache npm ci filled makes it quick).
  for (const command of blocks.get('install')!.split('\n').filter(Boolean)) {
    const [npm, ...args] = command.split(' ');
    expect(npm).toBe('npm');
    await run('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: dir,
      timeout: 300_000,
    });
  }
  // 4. The merges, for an app that had no next.config.ts and create-next-app's layout.
  await writeFile(join(dir, 'next.config.ts'), blocks.get('next-config')!);
  await writeFile(join(dir, 'app/layout.tsx'), blocks.get('layout')!);
  // 5. Protect a page, as the recipe says: one matcher entry, and the page.
  const middleware = await readFile(join(dir, 'middleware.ts'), 'utf8');
  const withReports = middleware.replace(
    /export const config = \{[\s\S]*?\};/,
    blocks.get('matcher')!.trim(),
  );
  expect(withReports).not.toBe(middleware);
  await writeFile(join(dir, 'middleware.ts'), withReports);
  await mkdir(join(dir, 'app/reports'));
  await writeFile(join(dir, 'app/reports/page.tsx'), blocks.get('reports-page')!);

  // 3. The environment, with the local stand-in's values for the variables the README lists.
  const environment = await appEnvironment();
  issuer = environment.issuer;
  const { port, values } = environment;
  const listed = blocks
    .get('env')!
    .split('\n')
    .filter(Boolean)
    .map((line) => line.slice(0, line.indexOf('=')));
  expect(listed.sort()).toEqual(Object.keys(values).sort());
  await writeFile(
    join(dir, '.env.local'),
    Object.entries(values)
      .map(([name, value]) => `${name}=${value}`)
      .join('\n'),
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
  };
  for (const name of Object.keys(values)) delete env[name];
  await nextBuild(dir, env);
  app = await nextStart(dir, port, env);
}, 900_000);

afterAll(async () => {
  await app?.stop();
  await issuer?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('adding it to an existing app', () => {
  it('existing app: installs the exact versions this repository is tested with', async () => {
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const all = { ...manifest.dependencies, ...manifest.devDependencies };
    const installed = blocks
      .get('install')!
      .split(/\s+/)
      .filter((word) => /^@?[\w/-]+@\d/.test(word));
    expect(installed.length).toBeGreaterThan(0);
    for (const spec of installed) {
      const at = spec.lastIndexOf('@');
      expect(all[spec.slice(0, at)], spec).toBe(spec.slice(at + 1));
    }
  });

  it('existing app: leaves its own page outside the middleware', async () => {
    const home = await send(`${app.url}/`, { headers: DOCUMENT });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('An existing app');
  });

  it('existing app: sends a signed-out visitor of the protected page to sign-in', async () => {
    const response = await send(`${app.url}/reports`, { headers: DOCUMENT });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/\/login\?returnTo=%2Freports$/);
  });

  it('existing app: signs in through the local stand-in and shows the protected page', async () => {
    const { jar, landed } = await signInOverHttp(app.url, '/reports');
    expect(new URL(landed!, app.url).pathname).toBe('/reports');
    const page = await send(`${app.url}/reports`, { jar, headers: DOCUMENT });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Reports for');
    expect(html).toContain('admin@acme.test');
  });
});
