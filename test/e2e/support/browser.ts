import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { issuerControl } from '../../support/issuer-control';
import { binaryPath } from '../../tools/prerequisites/prerequisites';

/** Everything runs on 127.0.0.1: `localhost` would be another site with another cookie jar. */
export const APP_URL = inject('appUrl');
export const ISSUER_URL = inject('issuerUrl');
export const TTL_SECONDS = inject('accessTokenTtlSeconds');
export const issuer = issuerControl(ISSUER_URL);

/** Access tokens stay valid this long past `exp` (CLOCK_TOLERANCE_SECONDS in lib/edge/access-token.ts). */
export const CLOCK_TOLERANCE_SECONDS = 5;

export const SESSION_COOKIES = ['sk_access', 'sk_id', 'sk_refresh'] as const;
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../test-results/e2e/', import.meta.url));

export type TestUser = 'admin' | 'member' | 'multi';
export const EMAILS: Record<TestUser, string> = {
  admin: 'admin@acme.test',
  member: 'member@acme.test',
  /** Admin in Acme (the default organization), member in Globex. */
  multi: 'morgan@acme.test',
};

/** The installed Chromium (or Google Chrome, or CHROME_PATH), headless; never a downloaded browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: binaryPath('chromium'),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh profile (its own cookie jar and storage) with the app as base URL. */
export async function newProfile(
  browser: Browser,
  options: { hidden?: boolean } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: APP_URL,
    viewport: { width: 1100, height: 760 },
    colorScheme: 'light',
  });
  context.setDefaultTimeout(30_000);
  context.setDefaultNavigationTimeout(45_000);
  if (options.hidden) await context.addInitScript(emulateHiddenTab);
  return context;
}

/**
 * Runs in every page before its scripts: the page reports itself hidden, as a background tab
 * does, and the session keeper therefore leaves the token alone. Chromium offers no switch for
 * this in headless mode (every page is "visible"), hence the property override; `showTab` brings
 * the page "back to the front".
 */
function emulateHiddenTab(): void {
  const state = { visibility: 'hidden' };
  Object.defineProperty(window, '__e2eVisibility', { value: state });
  Object.defineProperty(Document.prototype, 'visibilityState', {
    configurable: true,
    get: () => state.visibility,
  });
  Object.defineProperty(Document.prototype, 'hidden', {
    configurable: true,
    get: () => state.visibility === 'hidden',
  });
}

/** The person comes back to a tab opened with `{ hidden: true }`: it turns visible. */
export async function showTab(page: Page): Promise<void> {
  await page.evaluate(() => {
    const holder = window as unknown as { __e2eVisibility: { visibility: string } };
    holder.__e2eVisibility.visibility = 'visible';
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

export function isIssuerUrl(url: string | URL): boolean {
  return new URL(url).origin === ISSUER_URL;
}

/** True for the app's own sign-in start (`/login`) and for any page of the issuer. */
export function isSignInUrl(url: string | URL): boolean {
  const parsed = new URL(url);
  return (
    parsed.origin === ISSUER_URL || (parsed.origin === APP_URL && parsed.pathname === '/login')
  );
}

/**
 * Opens `path` signed out, goes through the issuer's login page as `user`, and waits to be back
 * on the app at `path`.
 */
export async function signIn(page: Page, path: string, user: TestUser = 'admin'): Promise<void> {
  await page.goto(path);
  await page.waitForURL(isIssuerUrl);
  await page.getByRole('button', { name: `Continue as ${EMAILS[user]}` }).click();
  await page.waitForURL(`${APP_URL}${path}`);
}

/** The issuer's count of token requests: code exchanges plus refresh-token redemptions. */
export async function tokenRequests(): Promise<number> {
  return (await issuer.counts()).token ?? 0;
}

export interface Exchange {
  method: string;
  url: URL;
  status: number;
  /** Request headers as sent (redirected hops included), lower-case names; see `settled`. */
  headers: Record<string, string>;
}

/**
 * Records every response the page receives (redirect hops included) and every request it sends,
 * so a test can show which path a request kind took and that none went to sign-in.
 */
export function recordTraffic(page: Page) {
  const exchanges: Exchange[] = [];
  const requested: string[] = [];
  const pending: Promise<void>[] = [];
  page.on('request', (request) => requested.push(request.url()));
  page.on('response', (response) => {
    const request = response.request();
    const exchange: Exchange = {
      method: request.method(),
      url: new URL(response.url()),
      status: response.status(),
      headers: request.headers(),
    };
    exchanges.push(exchange);
    // `headers()` misses what the network layer added or kept on a redirect (e.g. Next-Action).
    pending.push(
      request.allHeaders().then(
        (headers) => void (exchange.headers = headers),
        () => undefined,
      ),
    );
  });
  return {
    exchanges,
    /** URLs of every request sent, including those that never got an answer. */
    requested,
    /** Exchanges with `pathname`, in order. */
    to: (pathname: string) => exchanges.filter(({ url }) => url.pathname === pathname),
    /** Resolves once every recorded exchange has its complete request headers. */
    settled: async () => {
      await Promise.all(pending);
    },
  };
}

/** The `exp` (seconds) of the context's current access token, told by the session's own API. */
export async function accessTokenExpiry(context: BrowserContext): Promise<number> {
  const response = await context.request.get('/api/protected/me');
  if (!response.ok()) throw new Error(`GET /api/protected/me answered ${response.status()}`);
  return ((await response.json()) as { exp: number }).exp;
}

/** Waits until the context's access token is expired beyond the verifier's clock tolerance. */
export async function waitPastExpiry(context: BrowserContext, page: Page): Promise<void> {
  const exp = await accessTokenExpiry(context);
  const waitMs = (exp + CLOCK_TOLERANCE_SECONDS + 1) * 1000 - Date.now();
  await page.waitForTimeout(Math.max(waitMs, 0));
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return `${SCREENSHOT_DIR}${name}.png`;
}

/**
 * Launches Chromium before the calling file's tests and closes it after them; every test opens
 * its own fresh profile from it.
 */
export function chromiumForThisFile() {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    newProfile: (options?: { hidden?: boolean }) => newProfile(browser!, options),
  };
}
