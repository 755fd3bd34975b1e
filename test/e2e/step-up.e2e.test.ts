import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  APP_URL,
  EMAILS,
  chromiumForThisFile,
  isIssuerUrl,
  recordTraffic,
} from './support/browser';
import { ageSignIn, signedInAt } from './support/session-cookies';

let context: BrowserContext;

const chromium = chromiumForThisFile();
afterEach(async () => {
  await context?.close();
});

const TEN_MINUTES = 10 * 60_000;
const SECURITY = '/dashboard/security';

/**
 * Signs in through `/login?prompt=login`, the only sign-in whose time the app records without an
 * `auth_time` (the stand-in, like Scalekit's docs, sends none), and lands on `path`.
 */
async function signInForced(page: Page, path: string) {
  await page.goto(`/login?prompt=login&returnTo=${encodeURIComponent(path)}`);
  await page.waitForURL(isIssuerUrl);
  await page.getByRole('button', { name: `Continue as ${EMAILS.admin}` }).click();
  await page.waitForURL(`${APP_URL}${path}`);
}

describe('step-up re-authentication', () => {
  it('step-up: lets a fresh sign-in it forced open Security settings without asking again', async () => {
    context = await chromium.newProfile();
    const page = await context.newPage();
    await signInForced(page, '/dashboard');
    const traffic = recordTraffic(page);
    await page.goto(SECURITY);
    await page.getByRole('heading', { name: 'Security settings' }).waitFor();
    expect(traffic.to('/login')).toEqual([]);
  });

  it('step-up: sends a stale sign-in through prompt=login, even with a live Scalekit session, and back to the page', async () => {
    context = await chromium.newProfile();
    const page = await context.newPage();
    await signInForced(page, '/dashboard');
    await ageSignIn(context, TEN_MINUTES);
    const before = await signedInAt(context);
    const traffic = recordTraffic(page);

    await page.goto(SECURITY);
    await page.waitForURL(isIssuerUrl);
    // The stand-in still has its session, yet asks for the person again.
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('button', { name: `Continue as ${EMAILS.admin}` }).click();
    await page.waitForURL(`${APP_URL}${SECURITY}`);
    await page.getByRole('heading', { name: 'Security settings' }).waitFor();

    const login = new URL(traffic.to('/login')[0]!.url);
    expect(login.searchParams.get('prompt')).toBe('login');
    expect(login.searchParams.get('returnTo')).toBe(SECURITY);
    expect(await signedInAt(context)).toBeGreaterThan(before + TEN_MINUTES - 60_000);
  });

  it('step-up: answers a Server Action and an API call with a code the client acts on', async () => {
    context = await chromium.newProfile();
    const page = await context.newPage();
    await signInForced(page, SECURITY);
    await page.getByRole('button', { name: 'Show recovery codes' }).click();
    await page.getByTestId('recovery-codes').waitFor();

    // The sign-in grows old while the page is open.
    await ageSignIn(context, TEN_MINUTES);
    await page.getByRole('button', { name: 'Show recovery codes' }).click();
    const confirm = page.getByRole('link', { name: "Confirm it's you" });
    await confirm.waitFor();
    expect(await confirm.getAttribute('href')).toBe(
      '/login?prompt=login&returnTo=%2Fdashboard%2Fsecurity',
    );
    expect(await page.getByTestId('recovery-codes').count()).toBe(0);

    const api = await context.request.get('/api/protected/security');
    expect(api.status()).toBe(401);
    expect(await api.json()).toEqual({ error: 'step_up_required' });
    expect(api.headers()['www-authenticate']).toBe(
      'Bearer error="insufficient_user_authentication"',
    );
  });

  it("step-up is not satisfied by a silent sign-in: a cookie deleted, /login on Scalekit's session", async () => {
    context = await chromium.newProfile();
    const page = await context.newPage();
    // The person signed in with their password a while ago, and left the browser.
    await signInForced(page, '/dashboard');
    await ageSignIn(context, TEN_MINUTES);
    // Whoever stands at the unattended browser deletes one cookie (or has another site's POST
    // delete them) and signs in again: the stand-in's own session completes it without a page.
    await context.clearCookies({ name: 'sk_access' });
    const traffic = recordTraffic(page);
    await page.goto(`/login?returnTo=${encodeURIComponent('/dashboard')}`);
    await page.waitForURL(`${APP_URL}/dashboard`);
    expect(traffic.exchanges.filter(({ url }) => isIssuerUrl(url)).length).toBeGreaterThan(0);
    expect(traffic.to('/api/callback')).toHaveLength(1);

    // The step-up page asks for the password again instead of opening.
    await page.goto(SECURITY);
    await page.waitForURL(isIssuerUrl);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(traffic.to('/login').at(-1)!.url).searchParams.get('prompt')).toBe('login');
    expect(await page.getByRole('heading', { name: 'Security settings' }).count()).toBe(0);
  });
});
