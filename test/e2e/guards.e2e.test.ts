import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { config } from '@/middleware';
import { APP_URL, chromiumForThisFile, signIn, type TestUser } from './support/browser';

let context: BrowserContext;

const chromium = chromiumForThisFile();
afterEach(async () => {
  await context?.close();
});

async function signedIn(user: TestUser) {
  context = await chromium.newProfile();
  const page = await context.newPage();
  await signIn(page, '/dashboard', user);
  return page;
}

describe('requireRole, requirePermission and withSession', () => {
  it('answers a member on the admin API route with 403 {"error":"forbidden"}, an admin with 200', async () => {
    await signedIn('member');
    const member = await context.request.get('/api/protected/admin');
    expect(member.status()).toBe(403);
    expect(await member.json()).toEqual({ error: 'forbidden' });
    expect(member.headers()['cache-control']).toBe('private, no-store');
    await context.close();

    await signedIn('admin');
    const admin = await context.request.get('/api/protected/admin');
    expect(admin.status()).toBe(200);
    expect(await admin.json()).toMatchObject({ roles: ['admin'] });
  });

  it('shows a member who runs a Server Action needing members:invite the 403 page, and runs it for an admin', async () => {
    const page = await signedIn('member');
    const answered = page.waitForResponse(
      (response) =>
        response.request().method() === 'POST' && response.url() === `${APP_URL}/dashboard`,
    );
    await page.getByLabel("Teammate's email").fill('new@acme.test');
    await page.getByRole('button', { name: 'Invite' }).click();
    expect((await answered).status()).toBe(403);
    await page.getByRole('heading', { name: '403 — Not allowed' }).waitFor();
    await context.close();

    const adminPage = await signedIn('admin');
    await adminPage.getByLabel("Teammate's email").fill('new@acme.test');
    await adminPage.getByRole('button', { name: 'Invite' }).click();
    expect(await adminPage.getByTestId('invited').textContent()).toBe(
      'new@acme.test (to org_acme0001)',
    );
  });
});

describe('the matcher, the one declaration of what needs a session', () => {
  const manifestPath = fileURLToPath(
    new URL('../../.next/server/middleware-manifest.json', import.meta.url),
  );
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    middleware: Record<string, { matchers: Array<{ regexp: string; originalSource: string }> }>;
  };
  const matchers = Object.values(manifest.middleware).flatMap((entry) => entry.matchers);
  const matched = (path: string) => matchers.some(({ regexp }) => new RegExp(regexp).test(path));

  it("is what the built app's middleware-manifest.json runs the middleware on", () => {
    expect(matchers.map((m) => m.originalSource)).toEqual(config.matcher);
  });

  it.each([
    '/',
    '/login',
    '/logout',
    '/auth/signed-out',
    '/api/refresh',
    '/api/callback',
    '/api/health',
  ])('leaves the public path %s outside the middleware', (path) => {
    expect(matched(path)).toBe(false);
  });

  it.each(['/dashboard', '/dashboard/admin', '/dashboard/anything/new', '/api/protected/me'])(
    'runs the middleware on %s',
    (path) => {
      expect(matched(path)).toBe(true);
    },
  );
});
