import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APP_URL, EMAILS, chromiumForThisFile, signIn } from './support/browser';
import { DOCUMENT, send, signInOverHttp } from './support/http-session';

const build = fileURLToPath(new URL('../../.next/', import.meta.url));
const STATIC_PAGES = {
  '/': 'index',
  '/auth/signed-out': 'auth/signed-out',
  '/_not-found': '_not-found',
};

const chromium = chromiumForThisFile();

describe('static pages', () => {
  it('next build prerenders /, /auth/signed-out and the 404 (their HTML is in the build), and not the dashboard', () => {
    const manifest = JSON.parse(readFileSync(`${build}prerender-manifest.json`, 'utf8')) as {
      routes: Record<string, unknown>;
    };
    for (const [route, file] of Object.entries(STATIC_PAGES)) {
      expect(Object.keys(manifest.routes)).toContain(route);
      expect(existsSync(`${build}server/app/${file}.html`)).toBe(true);
    }
    expect(Object.keys(manifest.routes)).not.toContain('/dashboard');
    expect(existsSync(`${build}server/app/dashboard.html`)).toBe(false);
  });

  it('serves / byte for byte the same to a signed-in visitor and to a signed-out one', async () => {
    const { jar } = await signInOverHttp(APP_URL, '/dashboard');
    const signedIn = await send(`${APP_URL}/`, { jar, headers: DOCUMENT });
    const signedOut = await send(`${APP_URL}/`, { headers: DOCUMENT });
    expect(signedIn.status).toBe(200);
    const html = await signedIn.text();
    expect(html).toBe(await signedOut.text());
    expect(html).not.toContain(EMAILS.admin);
    expect(signedIn.headers.getSetCookie()).toEqual([]);
  });

  it('/api/session answers the snapshot, never a token, private and varying with the cookie', async () => {
    const signedOut = await send(`${APP_URL}/api/session`);
    expect(signedOut.status).toBe(200);
    expect(await signedOut.json()).toEqual({ status: 'signed-out', session: null });
    expect(signedOut.headers.get('cache-control')).toBe('private, no-store');
    expect(signedOut.headers.get('vary')).toMatch(/(^|,\s*)Cookie(,|$)/i);

    const { jar } = await signInOverHttp(APP_URL, '/dashboard');
    const signedIn = await send(`${APP_URL}/api/session`, { jar });
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get('cache-control')).toBe('private, no-store');
    expect(signedIn.headers.get('vary')).toMatch(/(^|,\s*)Cookie(,|$)/i);
    const body = await signedIn.text();
    expect(JSON.parse(body)).toMatchObject({
      status: 'signed-in',
      session: { user: { email: EMAILS.admin }, organizationId: expect.any(String) },
    });
    // No JWT (header.payload.signature) and no cookie value crosses over.
    expect(body).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    for (const value of jar
      .header('/')
      .split('; ')
      .map((pair) => pair.split('=')[1]!)) {
      expect(body).not.toContain(value);
    }
  });

  it('shows who is signed in on the static home page, from /api/session', async () => {
    const context = await chromium.newProfile();
    try {
      const page = await context.newPage();
      await signIn(page, '/dashboard');
      const asked = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/session');
      await page.goto('/');
      expect((await asked).status()).toBe(200);
      await page.getByRole('banner').getByText(EMAILS.admin).waitFor();
      expect(await page.getByTestId('home-email').textContent()).toBe(EMAILS.admin);
    } finally {
      await context.close();
    }
  });

  it('renders the dashboard signed in from the server (no /api/session round trip)', async () => {
    const context = await chromium.newProfile();
    try {
      const page = await context.newPage();
      const asked: string[] = [];
      page.on('request', (r) => {
        if (new URL(r.url()).pathname === '/api/session') asked.push(r.url());
      });
      await signIn(page, '/dashboard');
      const html = await (await page.reload())!.text();
      expect(html).toContain('data-testid="session-status">signed-in<');
      await page.getByRole('banner').getByText(EMAILS.admin).waitFor();
      expect(asked).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
