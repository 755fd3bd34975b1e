import type { BrowserContext, Response } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  accessTokenExpiry,
  APP_URL,
  EMAILS,
  isIssuerUrl,
  isSignInUrl,
  issuer,
  chromiumForThisFile,
  showTab,
  signIn,
  tokenRequests,
} from './support/browser';

let context: BrowserContext | undefined;

const chromium = chromiumForThisFile();
afterEach(async () => {
  await issuer.setFault('token', null);
  await context?.close();
  context = undefined;
});

const isKeeperRefresh = (response: Response) =>
  new URL(response.url()).pathname === '/api/refresh' &&
  response.request().method() === 'POST' &&
  response.request().headers()['next-action'] === undefined;

describe('the session keeper', () => {
  it('refreshes as soon as a tab that was hidden past the expiry comes back', async () => {
    context = await chromium.newProfile({ hidden: true });
    const page = await context.newPage();
    await signIn(page, '/dashboard');
    const exp = await accessTokenExpiry(context);
    await page.waitForTimeout(exp * 1000 + 500 - Date.now());
    const before = await tokenRequests();
    expect(before).toBeGreaterThan(0);
    // Hidden all along: the keeper let the token expire.
    expect(await accessTokenExpiry(context)).toBe(exp);

    const refreshed = page.waitForResponse(isKeeperRefresh, { timeout: 5_000 });
    await showTab(page);
    const response = await refreshed;

    expect(response.status()).toBe(200);
    const { expiresAt } = (await response.json()) as { expiresAt: number };
    expect(expiresAt).toBeGreaterThan(Date.now());
    expect((await tokenRequests()) - before).toBe(1);
    expect(page.url()).toBe(`${APP_URL}/dashboard`);
  });

  it('retries a refresh that meets an outage with growing delays, and recovers', async () => {
    context = await chromium.newProfile();
    const page = await context.newPage();
    const attempts: { at: number; status: number }[] = [];
    page.on('response', (response) => {
      if (isKeeperRefresh(response)) attempts.push({ at: Date.now(), status: response.status() });
    });
    await signIn(page, '/dashboard');
    await issuer.setFault('token', 'error');

    await expect.poll(() => attempts.length, { timeout: 30_000, interval: 100 }).toBe(3);
    await issuer.setFault('token', null);
    await expect.poll(() => attempts.length, { timeout: 30_000, interval: 100 }).toBe(4);

    expect(attempts.map((a) => a.status)).toEqual([503, 503, 503, 200]);
    const gaps = attempts.slice(1).map((a, i) => (a.at - attempts[i]!.at) / 1000);
    console.log(`[e2e] keeper retry gaps (s): ${gaps.map((g) => g.toFixed(1)).join(', ')}`);
    // 1 s, 2 s, 4 s plus request time.
    expect(gaps[0]).toBeGreaterThanOrEqual(0.9);
    expect(gaps[1]).toBeGreaterThanOrEqual(1.9);
    expect(gaps[2]).toBeGreaterThanOrEqual(3.9);
    expect(gaps[2]).toBeLessThan(8);
    // A transient failure never signs anyone out.
    expect(page.url()).toBe(`${APP_URL}/dashboard`);
    await page.reload();
    expect(await page.getByTestId('email').textContent()).toBe(EMAILS.admin);
  });

  it('sends the tab to sign-in, and back, once the session is over', async () => {
    context = await chromium.newProfile();
    const page = await context.newPage();
    await signIn(page, '/dashboard?tab=3');
    const signInRequests: string[] = [];
    page.on('request', (request) => {
      if (isSignInUrl(request.url())) signInRequests.push(request.url());
    });
    // The refresh token is gone (as when Scalekit ends the session): the next refresh gets a 401.
    await context.clearCookies({ name: 'sk_refresh' });
    const signedInAgain = page.waitForResponse(
      (response) => new URL(response.url()).pathname === '/api/callback',
      { timeout: 30_000 },
    );

    const ended = await page.waitForResponse(isKeeperRefresh, { timeout: 20_000 });
    expect(ended.status()).toBe(401);
    // Scalekit still has its own session, so the hosted login answers at once, without a page.
    expect((await signedInAgain).status()).toBe(303);
    await page.waitForURL(`${APP_URL}/dashboard?tab=3`);
    expect(signInRequests[0]).toBe(`${APP_URL}/login?returnTo=%2Fdashboard%3Ftab%3D3`);
    expect(signInRequests.some(isIssuerUrl)).toBe(true);
    expect(await page.getByTestId('email').textContent()).toBe(EMAILS.admin);
    expect((await context.cookies()).map((c) => c.name)).toContain('sk_refresh');
  });
});
