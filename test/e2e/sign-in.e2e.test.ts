import type { BrowserContext } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  APP_URL,
  EMAILS,
  isIssuerUrl,
  chromiumForThisFile,
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
