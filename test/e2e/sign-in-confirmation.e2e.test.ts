import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  APP_URL,
  ISSUER_URL,
  chromiumForThisFile,
  isIssuerUrl,
  recordTraffic,
  signIn,
} from './support/browser';

let context: BrowserContext;

const chromium = chromiumForThisFile();
afterEach(async () => {
  await context?.close();
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
