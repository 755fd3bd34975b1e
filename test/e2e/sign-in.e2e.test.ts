import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  APP_URL,
  EMAILS,
  ISSUER_URL,
  isIssuerUrl,
  chromiumForThisFile,
  recordTraffic,
  SESSION_COOKIES,
  signIn,
} from './support/browser';

/** A compact JWS as the issuer mints them: base64url header and payload that start with `{"`. */
const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

let context: BrowserContext;

const chromium = chromiumForThisFile();
afterEach(async () => {
  await context?.close();
});

describe('signing in', () => {
  it('returns a signed-out visitor of /dashboard?tab=2 there, query and all, after the hosted login', async () => {
    context = await chromium.newProfile();
    const page = await context.newPage();

    await page.goto('/dashboard?tab=2');
    await page.waitForURL(isIssuerUrl);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('button', { name: `Continue as ${EMAILS.admin}` }).click();

    await page.waitForURL(`${APP_URL}/dashboard?tab=2`);
    expect(await page.getByTestId('email').textContent()).toBe(EMAILS.admin);
  });

  it('keeps every session cookie HttpOnly and SameSite=Lax, and no token in the page', async () => {
    context = await chromium.newProfile();
    const page = await context.newPage();
    await signIn(page, '/dashboard');

    const cookies = await context.cookies();
    for (const name of SESSION_COOKIES) {
      const cookie = cookies.find((c) => c.name === name);
      expect(cookie, name).toMatchObject({
        httpOnly: true,
        sameSite: 'Lax',
        path: name === 'sk_refresh' ? '/api/refresh' : '/',
      });
    }
    expect(cookies.filter((c) => !c.httpOnly).map((c) => c.name)).toEqual([]);
    expect(await page.evaluate(() => document.cookie)).not.toMatch(/sk_/);

    // The server's HTML (with its inline RSC payload) and the live DOM carry no token.
    const response = await page.reload();
    const html = await response!.text();
    expect(html).toContain(EMAILS.admin);
    expect(html).not.toMatch(JWT);
    expect(await page.content()).not.toMatch(JWT);
    for (const cookie of cookies) expect(html).not.toContain(cookie.value);
  });

  it('shows a member the 403 page for /dashboard/admin', async () => {
    context = await chromium.newProfile();
    const page = await context.newPage();
    await signIn(page, '/dashboard/admin', 'member');

    await page.getByRole('heading', { name: '403 — Not allowed' }).waitFor();
    const response = await page.reload();
    expect(response!.status()).toBe(403);
    expect(page.url()).toBe(`${APP_URL}/dashboard/admin`);
  });

  it('sends a callback with a bad state to the error page, whose "Sign in again" starts over', async () => {
    context = await chromium.newProfile();
    const page = await context.newPage();

    await page.goto('/api/callback?code=x&state=bogus');

    const url = new URL(page.url());
    expect(url.pathname).toBe('/auth/error');
    // This browser never started a sign-in, so there is no transaction to match.
    expect(url.searchParams.get('code')).toBe('transaction_missing');
    await page.getByRole('heading', { name: 'Sign-in did not complete' }).waitFor();
    // A link (it navigates), styled as a button.
    const again = page.getByRole('link', { name: 'Sign in again' });
    expect(await again.getAttribute('class')).toContain('button');
    await again.click();
    await page.waitForURL(isIssuerUrl);
    expect(await context.cookies()).not.toContainEqual(
      expect.objectContaining({ name: 'sk_access' }),
    );
  });
});

/** A sign-in link that names whom to sign in (a routing parameter), back to the dashboard. */
const ROUTED = `/login?login_hint=${encodeURIComponent('admin@acme.test')}&returnTo=%2Fdashboard`;

/** Follows a link to `path` on the app from a page of another origin (the stand-in's). */
async function arriveFromElsewhere(page: Page, path: string) {
  await page.goto(`${ISSUER_URL}/keys`);
  const arrival = page.waitForResponse((response) => response.url() === `${APP_URL}${path}`);
  await page.evaluate((href) => void (window.location.href = href), `${APP_URL}${path}`);
  return arrival;
}

describe('login CSRF / account swap, in Chromium', () => {
  it('a cross-site login with routing parameters asks first, and Continue goes on', async () => {
    context = await chromium.newProfile();
    const page = await context.newPage();
    await signIn(page, '/dashboard');

    const response = await arriveFromElsewhere(page, ROUTED);
    expect(response.status()).toBe(200);
    const headers = response.headers();
    expect(headers['content-type']).toBe('text/html; charset=utf-8');
    expect(headers['cache-control']).toBe('private, no-store');
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['content-security-policy']).toBe("frame-ancestors 'none'");
    await page.getByRole('heading', { name: 'Continue signing in?' }).waitFor();

    const traffic = recordTraffic(page);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${APP_URL}/dashboard`);
    expect(traffic.to('/login').map(({ method, status }) => [method, status])).toEqual([
      ['POST', 303],
    ]);
    // The browser GETs the authorize URL: the form is not posted on to Scalekit.
    expect(traffic.to('/oauth/authorize').map(({ method }) => method)).toEqual(['GET']);
  });

  it('a signed-out cross-site login goes straight on', async () => {
    context = await chromium.newProfile();
    const page = await context.newPage();
    await arriveFromElsewhere(page, ROUTED);
    await page.waitForURL(isIssuerUrl);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });
});
