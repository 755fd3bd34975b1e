import type { BrowserContext, Request } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { ISSUER_URL, chromiumForThisFile } from './support/browser';

let context: BrowserContext;

const chromium = chromiumForThisFile();
afterEach(async () => {
  await context?.close();
});

const isAuthorize = (request: Request) => request.url().startsWith(`${ISSUER_URL}/oauth/authorize`);

describe('Sign in with SSO', () => {
  it('sign in with SSO: sends a work email to Scalekit as login_hint', async () => {
    context = await chromium.newProfile();
    const page = await context.newPage();
    await page.goto('/');
    const authorize = page.waitForRequest(isAuthorize);
    await page.getByLabel('Work email or organization id').fill('member@acme.test');
    await page.getByRole('button', { name: 'Continue with SSO' }).click();
    const url = new URL((await authorize).url());
    expect(url.searchParams.get('login_hint')).toBe('member@acme.test');
    await page.getByText('Signing in as member@acme.test').waitFor();
  });

  it("sign in with SSO: sends an organization id to that organization's connection", async () => {
    context = await chromium.newProfile();
    const page = await context.newPage();
    await page.goto('/');
    const authorize = page.waitForRequest(isAuthorize);
    await page.getByLabel('Work email or organization id').fill('org_globex0001');
    await page.getByRole('button', { name: 'Continue with SSO' }).click();
    expect(new URL((await authorize).url()).searchParams.get('organization_id')).toBe(
      'org_globex0001',
    );
    await page.getByRole('heading', { name: 'Sign in to Globex' }).waitFor();
  });

  it('sign in with SSO: refuses anything else on the page, without leaving it', async () => {
    context = await chromium.newProfile();
    const page = await context.newPage();
    await page.goto('/');
    let authorized = false;
    page.on('request', (request) => {
      if (isAuthorize(request)) authorized = true;
    });
    await page.getByLabel('Work email or organization id').fill('not an email');
    await page.getByRole('button', { name: 'Continue with SSO' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'Enter your work email or your organization id (org_…).' })
      .waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    expect(authorized).toBe(false);
  });
});
