import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleForEdge } from './support/edge-bundle';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The README's "Run it inside your own middleware", as the next-intl e2e test builds it. */
const COMPOSED_WITH_NEXT_INTL = 'test/fixtures/next-intl-app/middleware.ts';

/** Every TypeScript source file under `dir`, relative to the project root. */
function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file))
    .map((file) => relative(root, join(root, dir, file)))
    .sort();
}

describe('the Edge boundary', () => {
  it('bundles the real middleware for the Edge with no Node-only code in it', async () => {
    const report = await bundleForEdge('middleware.ts');
    expect(report.errors).toEqual([]);
    expect(report.forbidden).toEqual([]);
    expect(report.bytes).toBeGreaterThan(1_000);
  });

  it("bundles the README's composition with next-intl for the Edge: its middleware and the protection, no Node-only code", async () => {
    const report = await bundleForEdge(COMPOSED_WITH_NEXT_INTL);
    expect(report.errors).toEqual([]);
    expect(report.forbidden).toEqual([]);
    expect(report.inputs).toContain('lib/edge/protect.ts');
    expect(report.inputs.some((path) => path.includes('node_modules/next-intl/'))).toBe(true);
  });

  it('keeps @upstash/redis out of the middleware, which reads revocations with one fetch', async () => {
    const report = await bundleForEdge('middleware.ts');
    expect(report.inputs.some((path) => path.includes('node_modules/@upstash/redis/'))).toBe(false);
  });

  it("has lib/edge hold exactly the files a middleware loads: this one, or one composed with an app's own", async () => {
    const reports = await Promise.all(
      ['middleware.ts', COMPOSED_WITH_NEXT_INTL].map(bundleForEdge),
    );
    const loaded = new Set(
      reports.flatMap((r) => r.inputs.filter((path) => path.startsWith('lib/'))),
    );
    expect([...loaded].sort()).toEqual(sources('lib/edge'));
    expect(reports.flatMap((r) => [...r.errors, ...r.forbidden])).toEqual([]);
  });

  it.each(sources('lib/edge'))('bundles %s on its own for the Edge', async (file) => {
    const report = await bundleForEdge(file);
    expect(report.errors).toEqual([]);
    expect(report.forbidden).toEqual([]);
  });

  it('rejects a middleware that imports lib/server', async () => {
    const report = await bundleForEdge('test/fixtures/middleware-importing-server.ts');
    const problems = [...report.errors, ...report.forbidden].join('\n');
    expect(problems).toMatch(/node:|@scalekit-sdk|axios|@connectrpc/);
  });

  it('rejects a middleware that imports the Scalekit SDK', async () => {
    const report = await bundleForEdge('test/fixtures/middleware-importing-sdk.ts');
    const problems = [...report.errors, ...report.forbidden].join('\n');
    expect(problems).toMatch(/node:|@scalekit-sdk|axios|@connectrpc/);
  });
});

/** The import specifiers of a source file that lead into `test/` (the kit, the stand-ins, …). */
function importsFromTest(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specifiers = [
    ...text.matchAll(/\bfrom\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]/g),
  ].map((m) => m[1] ?? m[2]!);
  return specifiers.filter((specifier) => {
    if (specifier.startsWith('@/')) return specifier.startsWith('@/test/');
    if (!specifier.startsWith('.')) return false;
    return relative(root, join(root, file, '..', specifier)).startsWith('test/');
  });
}

describe('the test boundary', () => {
  it.each([...sources('app'), ...sources('lib'), 'middleware.ts', 'next.config.ts'])(
    '%s imports nothing from test/ (the test kit, the stand-ins)',
    (file) => {
      expect(importsFromTest(file)).toEqual([]);
    },
  );

  it('is proven able to fail on a page that imports the test kit', () => {
    expect(importsFromTest('test/fixtures/page-importing-test-kit.tsx')).toEqual([
      '../kit/mint-session',
    ]);
  });
});

describe('the Node boundary', () => {
  it.each(sources('lib/server'))("%s starts with import 'server-only'", (file) => {
    const firstStatement = readFileSync(join(root, file), 'utf8')
      .split('\n')
      .find((line) => line.trim() !== '' && !line.startsWith('//'));
    expect(firstStatement).toBe("import 'server-only';");
  });
});
