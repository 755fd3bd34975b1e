import type { BrowserContext, Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  APP_URL,
  EMAILS,
  ISSUER_URL,
  isIssuerUrl,
  issuer,
  chromiumForThisFile,
  SESSION_COOKIES,
  signIn,
  TTL_SECONDS,
} from './support/browser';

const chromium = chromiumForThisFile();

async function sessionCookies(context: BrowserContext): Promise<string[]> {
  const names: readonly string[] = SESSION_COOKIES;
  return (await context.cookies()).map((c) => c.name).filter((name) => names.includes(name));
}

/**
 * Holds the first request of `page` to `pathname` (a fetch, never a page load) until `release()`;
 * `arrived` resolves once it is held.
 */
async function holdFirstFetch(page: Page, pathname: string) {
  let held!: (route: Route) => void;
  const arrived = new Promise<Route>((resolve) => (held = resolve));
  let taken = false;
  await page.route(`**${pathname}`, (route: Route) => {
    const request = route.request();
    if (taken || request.isNavigationRequest() || request.headers()['next-action']) {
      return route.fallback();
    }
    taken = true;
    held(route);
  });
  return { arrived, release: async () => (await arrived).continue() };
}

async function expectSignedIn(page: Page): Promise<void> {
  await page.goto('/dashboard');
  expect(page.url()).toBe(`${APP_URL}/dashboard`);
  expect(await page.getByTestId('email').textContent()).toBe(EMAILS.admin);
}

describe('signing out', () => {
  it('does not happen on hover, prefetch or GET /logout; the Sign out button ends both sessions', async () => {
    const context = await chromium.newProfile();
    try {
      const page = await context.newPage();
      await signIn(page, '/dashboard');
      const logoutsBefore = (await issuer.counts()).logout ?? 0;
      const signOut = page.getByRole('banner').getByRole('button', { name: 'Sign out' });

      // Hovering and focusing the control sends nothing.
      await signOut.hover();
      await signOut.focus();
      // A prefetch of /logout, as a router or a link preview would send it, is a harmless GET.
      const prefetch = await page.evaluate(async () => {
        const response = await fetch('/logout', {
          headers: { RSC: '1', 'Next-Router-Prefetch': '1', 'Sec-Purpose': 'prefetch' },
        });
        return { status: response.status, path: new URL(response.url).pathname };
      });
      expect(prefetch).toEqual({ status: 200, path: '/auth/sign-out' });
      await expectSignedIn(page);

      // GET /logout only shows the confirmation page.
      await page.goto('/logout');
      expect(page.url()).toBe(`${APP_URL}/auth/sign-out`);
      await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
      await expectSignedIn(page);
      expect(await sessionCookies(context)).toEqual(expect.arrayContaining([...SESSION_COOKIES]));
      expect((await issuer.counts()).logout ?? 0).toBe(logoutsBefore);

      // The real thing: a POST from the header's form, then Scalekit's logout, then back here.
      await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
      // Scalekit echoes the logout `state` back on the post-logout URL.
      await page.waitForURL((url) => url.origin === APP_URL && url.pathname === '/auth/signed-out');
      await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
      expect(await sessionCookies(context)).toEqual([]);
      expect((await issuer.counts()).logout ?? 0).toBe(logoutsBefore + 1);

      // Scalekit's session is over too (it would otherwise sign in without a page): the dashboard
      // shows the hosted login again.
      await page.goto('/dashboard');
      await page.waitForURL(isIssuerUrl);
      await page.getByRole('button', { name: `Continue as ${EMAILS.admin}` }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('a sign-out at the hosted page ends the app’s session through the user.logout webhook', async () => {
    const context = await chromium.newProfile();
    try {
      const page = await context.newPage();
      await signIn(page, '/dashboard');
      const before = (await issuer.webhookDeliveries()).length;
      // Signed out at Scalekit itself (another app, Scalekit's own pages): not through this app.
      await page.goto(`${ISSUER_URL}/oidc/logout`);
      await page.getByRole('heading', { name: 'Signed out' }).waitFor();
      const delivered = (await issuer.settledWebhookDeliveries(before)).slice(before);
      expect(delivered).toEqual([
        expect.objectContaining({ type: 'user.logout', delivered: true, statuses: [200] }),
      ]);
      // The app's cookies are still there, but the session may not be renewed any more.
      expect(await sessionCookies(context)).toEqual(expect.arrayContaining([...SESSION_COOKIES]));
      await page.goto('/');
      const refresh = await page.evaluate(async () => {
        const response = await fetch('/api/refresh', { method: 'POST' });
        return { status: response.status, body: await response.json() };
      });
      expect(refresh).toEqual({ status: 401, body: { error: 'refresh_failed' } });
      expect(await sessionCookies(context)).toEqual([]);
      await page.goto('/dashboard');
      await page.waitForURL(isIssuerUrl);
    } finally {
      await context.close();
    }
  });

  it('a renewal refused during sign-out does not cancel the sign-out', async () => {
    const context = await chromium.newProfile();
    try {
      const page = await context.newPage();
      await signIn(page, '/dashboard');
      // The keeper's next renewal is held until /logout has revoked the session and the browser
      // is waiting for Scalekit's logout, which answers only once the page has heard the renewal
      // refused: the window a busy machine opened by chance, held open. (Scalekit's side is held
      // in the stand-in, and the page is not asked anything while its navigation is pending:
      // Chromium then leaves DevTools' evaluations unanswered.)
      const other = await context.newPage();
      await other.goto('/');
      await other.getByRole('banner').getByText(EMAILS.admin).waitFor();
      const renewal = await holdFirstFetch(page, '/api/refresh');
      await Promise.race([
        renewal.arrived,
        page.waitForTimeout((TTL_SECONDS + 20) * 1000).then(() => {
          throw new Error('the keeper sent no renewal within a token lifetime');
        }),
      ]);
      await issuer.setFault('logout', 'hang');
      const logoutsBefore = (await issuer.counts()).logout ?? 0;
      const requested: URL[] = [];
      page.on('request', (request) => {
        if (request.isNavigationRequest()) requested.push(new URL(request.url()));
      });

      const clicked = page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
      await expect
        .poll(async () => (await issuer.counts()).logout ?? 0, { timeout: 30_000 })
        .toBe(logoutsBefore + 1);
      const refused = page.waitForResponse(
        (response) => new URL(response.url()).pathname === '/api/refresh',
      );
      // The keeper announces the end to the other tabs just before it ends this page's session, in
      // the same turn: once another tab reloads on that news, this page has heard the refusal.
      const otherReloads = other.waitForRequest((request) => request.isNavigationRequest(), {
        timeout: 30_000,
      });
      await renewal.release();
      expect((await refused).status()).toBe(401);
      await otherReloads;
      await issuer.setFault('logout', null);
      await clicked;

      await page.waitForURL((url) => url.origin === APP_URL && url.pathname === '/auth/signed-out');
      expect((await issuer.counts()).logout ?? 0).toBe(logoutsBefore + 1);
      expect(await sessionCookies(context)).toEqual([]);
      // Straight from /logout through Scalekit's logout to the signed-out page: no reload of the
      // dashboard, no sign-in (which would have resumed Scalekit's surviving session). Pages only.
      const app = requested.filter((url) => url.origin === APP_URL).map((url) => url.pathname);
      expect(
        app.filter((path) => ['/dashboard', '/login', '/api/callback'].includes(path)),
      ).toEqual([]);
      expect(app).toEqual(['/logout', '/auth/signed-out']);
    } finally {
      await issuer.setFault('logout', null);
      await context.close();
    }
  });
});
