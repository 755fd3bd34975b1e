import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_URL,
  EMAILS,
  isSignInUrl,
  chromiumForThisFile,
  recordTraffic,
  signIn,
  tokenRequests,
  TTL_SECONDS,
  waitPastExpiry,
} from './support/browser';

const chromium = chromiumForThisFile();

/**
 * Idle, made real: every page of these profiles reports itself hidden (a background tab), so the
 * session keeper never renews the token, and nothing else runs on the page. Each request kind
 * gets its own profile, signed in and then left alone until its access token is past `exp` plus
 * the verifier's clock tolerance; only then does the test click, reload, submit or fetch. What
 * renews the token is therefore the middleware path for that kind of request, and each
 * redemption shows up once at the issuer.
 */
describe('after the access token expired in an idle tab', () => {
  type Kind = 'link' | 'reload' | 'action' | 'fetch';
  const tabs = new Map<Kind, { context: BrowserContext; page: Page }>();

  beforeAll(async () => {
    for (const kind of ['link', 'reload', 'action', 'fetch'] as const) {
      const context = await chromium.newProfile({ hidden: true });
      const page = await context.newPage();
      await signIn(page, '/dashboard');
      tabs.set(kind, { context, page });
    }
    // The last profile signed in holds the newest token: once it has expired, all have.
    const last = tabs.get('fetch')!;
    await waitPastExpiry(last.context, last.page);
  }, 120_000);

  afterAll(async () => {
    for (const { context } of tabs.values()) await context.close();
  });

  /** Runs `act` on the kind's tab and returns its traffic and the issuer's token requests. */
  async function afterIdle(kind: Kind, act: (page: Page) => Promise<void>) {
    const { page } = tabs.get(kind)!;
    expect(await page.evaluate(() => document.visibilityState)).toBe('hidden');
    const traffic = recordTraffic(page);
    const before = await tokenRequests();
    await act(page);
    const redeemed = (await tokenRequests()) - before;
    await traffic.settled();
    // Never sent to sign-in: neither the app's /login nor any page of the issuer.
    expect(traffic.requested.filter(isSignInUrl)).toEqual([]);
    return { page, traffic, redeemed };
  }

  it('a <Link> navigation gets a 401, turns into a page load, refreshes and renders', async () => {
    const { page, traffic, redeemed } = await afterIdle('link', async (page) => {
      await page.getByRole('link', { name: 'Admin area' }).click();
      await page.getByRole('heading', { name: 'Admin area' }).waitFor();
    });

    expect(page.url()).toBe(`${APP_URL}/dashboard/admin`);
    // The click's RSC request is refused with a 401 (so is the hover's prefetch, which changes
    // nothing); Next then loads the document, which the middleware sends through /api/refresh.
    const admin = traffic.to('/dashboard/admin');
    const trace = admin.map((e) => `${e.status} ${e.headers.rsc ? 'rsc' : 'document'}`).join(', ');
    const rsc = admin.filter((e) => e.headers.rsc === '1');
    const navigation = rsc.filter((e) => e.headers['next-router-prefetch'] === undefined);
    expect(
      navigation.map((e) => e.status),
      trace,
    ).toEqual([401]);
    expect(
      rsc.every((e) => e.status === 401),
      trace,
    ).toBe(true);
    expect(
      admin.filter((e) => e.headers.rsc === undefined).map((e) => e.status),
      trace,
    ).toEqual([307, 200]);
    expect(traffic.to('/api/refresh').map((e) => `${e.method} ${e.status}`)).toEqual(['GET 303']);
    expect(redeemed).toBe(1);

    // And back, with the fresh token: a soft navigation, no refresh.
    await page.getByRole('link', { name: 'Back to the dashboard' }).click();
    await page.getByTestId('email').waitFor();
    expect(page.url()).toBe(`${APP_URL}/dashboard`);
  });

  it('a reload is sent through /api/refresh and renders the dashboard', async () => {
    const { page, traffic, redeemed } = await afterIdle('reload', async (page) => {
      await page.reload();
    });

    expect(page.url()).toBe(`${APP_URL}/dashboard`);
    expect(await page.getByTestId('email').textContent()).toBe(EMAILS.admin);
    const hops = traffic.exchanges
      .filter((e) => ['/dashboard', '/api/refresh'].includes(e.url.pathname))
      .map((e) => `${e.method} ${e.url.pathname} ${e.status}`);
    expect(hops).toEqual(['GET /dashboard 307', 'GET /api/refresh 303', 'GET /dashboard 200']);
    expect(traffic.to('/api/refresh')[0]!.url.searchParams.get('returnTo')).toBe('/dashboard');
    expect(redeemed).toBe(1);
  });

  it('a Server Action is replayed through /api/refresh and runs once, with the new token', async () => {
    const { page, traffic, redeemed } = await afterIdle('action', async (page) => {
      await page.getByRole('button', { name: 'Record a visit' }).click();
      await page.getByRole('list', { name: 'Recorded visits' }).getByRole('listitem').waitFor();
    });

    const visits = page.getByRole('list', { name: 'Recorded visits' }).getByRole('listitem');
    expect(await visits.count()).toBe(1);
    expect(await visits.first().textContent()).toContain('usr_acme_admin');
    // The action saw a token that expires in the future: the refreshed one.
    const tokenExpiry = await visits.first().locator('small').textContent();
    expect(tokenExpiry).toMatch(/valid until \d\d:\d\d:\d\d UTC/);
    const hops = traffic.exchanges
      .filter((e) => e.method === 'POST')
      .map((e) => `${e.url.pathname} ${e.status} ${e.headers['next-action'] ? 'action' : '-'}`);
    expect(hops).toEqual([
      '/dashboard 307 action',
      '/api/refresh 307 action',
      '/dashboard 200 action',
    ]);
    expect(page.url()).toBe(`${APP_URL}/dashboard`);
    expect(redeemed).toBe(1);
  });

  it('fetchWithSession gets a 401, refreshes once and retries', async () => {
    const { page, traffic, redeemed } = await afterIdle('fetch', async (page) => {
      await page.getByRole('button', { name: 'Who am I?' }).click();
      await page.getByTestId('api-email').waitFor();
    });

    expect(await page.getByTestId('api-email').textContent()).toBe(EMAILS.admin);
    const hops = traffic.exchanges
      .filter((e) => e.url.pathname.startsWith('/api/'))
      .map((e) => `${e.method} ${e.url.pathname} ${e.status}`);
    expect(hops).toEqual([
      'GET /api/protected/me 401',
      'POST /api/refresh 200',
      'GET /api/protected/me 200',
    ]);
    expect(redeemed).toBe(1);
  });
});

describe('two visible tabs of one browser', () => {
  it('stay signed in over several token lifetimes with one refresh per lifetime, not one per tab', async () => {
    const context = await chromium.newProfile();
    try {
      const first = await context.newPage();
      await signIn(first, '/dashboard');
      const second = await context.newPage();
      await second.goto('/dashboard');
      await second.getByTestId('email').waitFor();

      const refreshes: { tab: number; at: number; status: number }[] = [];
      const navigations: string[] = [];
      [first, second].forEach((page, tab) => {
        page.on('response', (response) => {
          const url = new URL(response.url());
          if (url.pathname === '/api/refresh') {
            refreshes.push({ tab, at: Date.now(), status: response.status() });
          }
        });
        // Page loads, not history updates: Next may replaceState after hydration.
        page.on('request', (request) => {
          if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
            navigations.push(request.url());
          }
        });
      });

      const windowMs = 3 * TTL_SECONDS * 1000;
      const before = await tokenRequests();
      await first.waitForTimeout(windowMs);
      const redeemed = (await tokenRequests()) - before;

      // The keeper renews each token when a quarter of its life is left: one refresh point per
      // three quarters of a lifetime, whichever tab reaches it first.
      const refreshPoints = Math.round(windowMs / (0.75 * TTL_SECONDS * 1000));
      console.log(
        `[e2e] two tabs, ${windowMs / 1000} s: ${redeemed} redemptions (${refreshPoints} refresh ` +
          `points); by tab: ${refreshes.map((r) => r.tab).join(',')}`,
      );
      expect(Math.abs(redeemed - refreshPoints)).toBeLessThanOrEqual(1);
      expect(refreshes.every((r) => r.status === 200)).toBe(true);
      // No stampede: no two refreshes (from either tab) within half a refresh interval. One
      // refresh per refresh point, give or take the one at the window's edge, so there are gaps
      // to measure (the minimum of none would be Infinity, and pass).
      expect(Math.abs(refreshes.length - refreshPoints)).toBeLessThanOrEqual(1);
      const gaps = refreshes.slice(1).map((r, i) => r.at - refreshes[i]!.at);
      expect(Math.min(...gaps)).toBeGreaterThan(0.375 * TTL_SECONDS * 1000);

      // Neither tab loaded another page (no sign-in, no redirect), and both are still signed in.
      expect(navigations).toEqual([]);
      for (const page of [first, second]) {
        await page.reload();
        expect(page.url()).toBe(`${APP_URL}/dashboard`);
        expect(await page.getByTestId('email').textContent()).toBe(EMAILS.admin);
      }
    } finally {
      await context.close();
    }
  });
});
