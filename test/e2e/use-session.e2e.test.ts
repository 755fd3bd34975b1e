import type { BrowserContext } from 'playwright-core';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { mintSession } from '../kit/mint-session';
import { standInSigner } from '../kit/signers';
import {
  APP_URL,
  EMAILS,
  ISSUER_URL,
  chromiumForThisFile,
  recordTraffic,
  signIn,
  tokenRequests,
} from './support/browser';
import { expireAccessToken } from './support/session-cookies';

let context: BrowserContext;

const chromium = chromiumForThisFile();
afterEach(async () => {
  await context?.close();
});

const accountStatus = (page: import('playwright-core').Page) =>
  page.locator('[data-session-status]').getAttribute('data-session-status');

describe('useSession()', () => {
  it('useSession: follows a refresh with the new expiry, status signed-in throughout', async () => {
    context = await chromium.newProfile();
    const page = await context.newPage();
    await signIn(page, '/dashboard');
    const expiry = page.getByTestId('session-expires-at');
    const first = Number(await expiry.getAttribute('data-expires-at'));
    // The keeper renews shortly before the 8 s token expires; the hook shows the new expiry.
    await expect
      .poll(async () => Number(await expiry.getAttribute('data-expires-at')), { timeout: 20_000 })
      .toBeGreaterThan(first);
    expect(await page.getByTestId('session-status').textContent()).toBe('signed-in');
  });

  it('useSession: shows a public page opened after expiry as renewing, and renews in the background', async () => {
    context = await chromium.newProfile();
    const page = await context.newPage();
    await signIn(page, '/dashboard');
    await page.goto('about:blank');
    await expireAccessToken(context);
    const before = await tokenRequests();

    const told = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/session');
    const response = await page.goto('/');
    // The page is static: the HTML knows nobody; /api/session tells the browser who it is.
    expect(await response!.text()).not.toContain(EMAILS.admin);
    const state = (await (await told).json()) as { status: string; session: { user: unknown } };
    // Shown as the person, renewing: never the Sign in button.
    expect(state).toMatchObject({ status: 'renewing', session: { user: { email: EMAILS.admin } } });
    await expect.poll(() => accountStatus(page), { timeout: 10_000 }).toBe('signed-in');
    expect(await page.getByTestId('home-email').textContent()).toBe(EMAILS.admin);
    expect((await tokenRequests()) - before).toBe(1);
  });

  it('useSession: shows Sign in when renewal of an expired session is refused', async () => {
    const session = await mintSession({
      signer: standInSigner(ISSUER_URL, inject('clientId')),
      secret: inject('sessionSecret'),
      appUrl: APP_URL,
      user: { sub: 'usr_acme_admin', email: EMAILS.admin },
      expired: true,
    });
    context = await chromium.newProfile();
    await context.addCookies(session.storageState().cookies);
    const page = await context.newPage();
    const traffic = recordTraffic(page);
    await page.goto('/');
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    expect(await page.locator('[data-session-status]').count()).toBe(0);
    // One refused renewal, no loop.
    await page.waitForTimeout(2_000);
    expect(traffic.to('/api/refresh').map((e) => e.status)).toEqual([401]);
  });

  it('useSession: shows the person signed out when they sign out in another tab', async () => {
    context = await chromium.newProfile();
    const first = await context.newPage();
    await signIn(first, '/dashboard');
    await first.goto('/');
    await expect.poll(() => accountStatus(first)).toBe('signed-in');

    const second = await context.newPage();
    await second.goto('/');
    await second.getByRole('button', { name: 'Sign out' }).click();
    await second.getByRole('heading', { name: 'You are signed out' }).waitFor();

    await first.getByRole('link', { name: 'Sign in' }).first().waitFor({ timeout: 10_000 });
    expect(first.url()).toBe(`${APP_URL}/`);
  });
});
