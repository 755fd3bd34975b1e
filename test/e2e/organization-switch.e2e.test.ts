import type { BrowserContext } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  APP_URL,
  chromiumForThisFile,
  isIssuerUrl,
  isSignInUrl,
  recordTraffic,
  signIn,
} from './support/browser';
import { accessClaims } from './support/session-cookies';

let context: BrowserContext;

const chromium = chromiumForThisFile();
afterEach(async () => {
  await context?.close();
});

const ACME = 'org_acme0001';
const GLOBEX = 'org_globex0001';

async function adminPageStatus(): Promise<number> {
  const page = await context.newPage();
  const response = await page.goto('/dashboard/admin');
  const status = response!.status();
  await page.close();
  return status;
}

describe('switching organization', () => {
  it('organization switch: moves every part of the session to the other organization, and its role with it', async () => {
    context = await chromium.newProfile();
    const page = await context.newPage();
    await signIn(page, '/dashboard', 'multi');
    expect(await page.getByTestId('organization').textContent()).toBe(ACME);
    const before = await accessClaims(context);
    const refreshBefore = (await context.cookies(`${APP_URL}/api/refresh`)).find(
      (c) => c.name === 'sk_refresh',
    )!.value;
    expect(await adminPageStatus()).toBe(200);

    const traffic = recordTraffic(page);
    await page.getByRole('button', { name: 'Switch to Globex' }).click();
    await page.waitForURL(`${APP_URL}/dashboard`);
    await expect.poll(() => page.getByTestId('organization').textContent()).toBe(GLOBEX);

    // The stand-in still had its session: straight through, no login page and no picker shown
    // (every interaction step was a redirect, none a page).
    const shown = traffic.exchanges.filter(
      (e) => isIssuerUrl(e.url) && e.url.pathname.startsWith('/interaction') && e.status === 200,
    );
    expect(shown).toEqual([]);
    const after = await accessClaims(context);
    expect(after).toMatchObject({ sub: before.sub, oid: GLOBEX, roles: ['member'] });
    expect(await page.getByTestId('email').textContent()).toBe('morgan@acme.test');
    const refreshAfter = (await context.cookies(`${APP_URL}/api/refresh`)).find(
      (c) => c.name === 'sk_refresh',
    )!.value;
    expect(refreshAfter).not.toBe(refreshBefore);
    // The admin role was Acme's: the admin page now answers 403.
    expect(await adminPageStatus()).toBe(403);
  });

  it('organization switch: loses no token rotation: the keeper renews the new session, never through sign-in', async () => {
    context = await chromium.newProfile();
    const page = await context.newPage();
    await signIn(page, '/dashboard', 'multi');
    await page.getByRole('button', { name: 'Switch to Globex' }).click();
    await expect.poll(() => page.getByTestId('organization').textContent()).toBe(GLOBEX);

    const traffic = recordTraffic(page);
    const renewed = page.waitForResponse(
      (r) => new URL(r.url()).pathname === '/api/refresh' && r.request().method() === 'POST',
      { timeout: 20_000 },
    );
    expect((await renewed).status()).toBe(200);
    expect((await accessClaims(context)).oid).toBe(GLOBEX);
    expect(traffic.requested.filter(isSignInUrl)).toEqual([]);
  });

  it("organization switch: without an id, goes through Scalekit's organization picker", async () => {
    context = await chromium.newProfile();
    const page = await context.newPage();
    await signIn(page, '/dashboard', 'multi');
    await page.getByRole('button', { name: 'Switch organization' }).click();
    await page.waitForURL(isIssuerUrl);
    await page.getByRole('heading', { name: 'Choose an organization' }).waitFor();
    await page.getByRole('button', { name: 'Continue to Globex' }).click();
    await page.waitForURL(`${APP_URL}/dashboard`);
    await expect.poll(() => page.getByTestId('organization').textContent()).toBe(GLOBEX);
  });
});
