import { existsSync } from 'node:fs';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningIssuer } from '../tools/scalekit-stand-in';
import { DOCUMENT, send, signInOverHttp } from './support/http-session';
import type { NextServer } from './support/next-process';
import { serveProductCopy } from './support/served-copy';

/**
 * The README's "Run it inside your own middleware" with the real `next-intl`: the product copied,
 * its pages replaced by a localized tree (test/fixtures/next-intl-app: `app/[locale]/…`, next-intl's
 * routing, request config and messages, and the recipe's middleware.ts), next.config.ts wrapped
 * with next-intl's plugin, built and served, then checked from the outside. The sign-in routes stay
 * where the product has them, at the root.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = join(root, 'test/fixtures/next-intl-app');
const CONFIG_MARKER = 'export default nextConfig;';

let issuer: RunningIssuer;
let app: NextServer;
let build: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  const served = await serveProductCopy(async (dir) => {
    // `/` is next-intl's now (it redirects to a locale); the product's unlocalized /dashboard
    // stays only because an API route imports from it, and the middleware localizes its path.
    await rm(join(dir, 'app/page.tsx'));
    await cp(fixture, dir, { recursive: true });
    const config = await readFile(join(dir, 'next.config.ts'), 'utf8');
    await writeFile(
      join(dir, 'next.config.ts'),
      `import createNextIntlPlugin from 'next-intl/plugin';\n${config.replace(
        CONFIG_MARKER,
        'export default createNextIntlPlugin()(nextConfig);',
      )}`,
    );
  });
  ({ app, issuer, stop } = served);
  build = join(served.dir, '.next');
}, 600_000);

afterAll(async () => {
  await stop?.();
});

/** Where a redirect goes, as a path and query on the app. */
function redirectedTo(response: Response): string {
  const location = new URL(response.headers.get('location')!, app.url);
  return location.origin === app.url ? `${location.pathname}${location.search}` : location.href;
}

describe('the protection composed with next-intl', () => {
  it("next-intl: the README's recipe is, word for word, the middleware this app is built with", async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const block = /^```ts next-intl:middleware\n([\s\S]*?)^```$/m.exec(readme);
    expect(block?.[1]).toBe(await readFile(join(fixture, 'middleware.ts'), 'utf8'));
  });

  it('next-intl: next build prerenders the public localized pages, and not the dashboards', async () => {
    const manifest = JSON.parse(await readFile(join(build, 'prerender-manifest.json'), 'utf8')) as {
      routes: Record<string, unknown>;
    };
    for (const locale of ['en', 'de']) {
      expect(Object.keys(manifest.routes)).toContain(`/${locale}`);
      expect(existsSync(join(build, `server/app/${locale}.html`))).toBe(true);
      expect(Object.keys(manifest.routes)).not.toContain(`/${locale}/dashboard`);
      expect(existsSync(join(build, `server/app/${locale}/dashboard.html`))).toBe(false);
    }
  });

  it('next-intl: serves the public /de from the build to a signed-out visitor', async () => {
    const response = await send(`${app.url}/de`, { headers: DOCUMENT });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-nextjs-cache')).toBe('HIT');
    expect(response.headers.get('cache-control')).not.toMatch(/private|no-store/);
    expect(await response.text()).toContain('Willkommen');
  });

  it.each([
    ['en', 'Dashboard of admin@acme.test'],
    ['de', 'Übersicht von admin@acme.test'],
  ])(
    'next-intl: sends a signed-out visitor of /%s/dashboard to sign-in, and back to the same locale',
    async (locale, title) => {
      const signedOut = await send(`${app.url}/${locale}/dashboard`, { headers: DOCUMENT });
      expect(signedOut.status).toBe(303);
      expect(redirectedTo(signedOut)).toBe(`/login?returnTo=%2F${locale}%2Fdashboard`);
      // As the middleware answers: the page's own `requireSession()` redirects too, but with
      // Next's `private, no-cache, no-store, max-age=0, must-revalidate`.
      expect(signedOut.headers.get('cache-control')).toBe('private, no-store');

      const { jar, landed } = await signInOverHttp(app.url, `/${locale}/dashboard`);
      expect(new URL(landed!, app.url).pathname).toBe(`/${locale}/dashboard`);
      const page = await send(`${app.url}/${locale}/dashboard`, { jar, headers: DOCUMENT });
      expect(page.status).toBe(200);
      expect(page.headers.get('cache-control')).toBe('private, no-store');
      expect(await page.text()).toContain(title);
    },
  );

  it('next-intl: answers a signed-out <Link> navigation to /de/dashboard with a 401 from the middleware, before the page renders', async () => {
    const response = await send(`${app.url}/de/dashboard`, {
      headers: { rsc: '1', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'unauthenticated' });
  });

  it('next-intl: leaves the sign-in routes unlocalized, while an unprefixed page gets a locale', async () => {
    const login = await send(`${app.url}/login?returnTo=%2Fde%2Fdashboard`, { headers: DOCUMENT });
    expect(login.status).toBe(307);
    expect(new URL(login.headers.get('location')!).origin).toBe(new URL(issuer.url).origin);
    const signedOut = await send(`${app.url}/auth/signed-out`, { headers: DOCUMENT });
    expect(signedOut.status).toBe(200);

    const unprefixed = await send(`${app.url}/dashboard`, { headers: DOCUMENT });
    expect(unprefixed.status).toBe(307);
    expect(redirectedTo(unprefixed)).toBe('/en/dashboard');
  });

  it('next-intl: protects an API route without localizing it', async () => {
    const signedOut = await send(`${app.url}/api/protected/me`);
    expect(signedOut.status).toBe(401);
    const { jar } = await signInOverHttp(app.url, '/de/dashboard');
    const signedIn = await send(`${app.url}/api/protected/me`, { jar });
    expect(signedIn.status).toBe(200);
  });
});
