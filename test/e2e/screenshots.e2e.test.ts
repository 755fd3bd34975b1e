import { expect, it } from 'vitest';
import { EMAILS, chromiumForThisFile, screenshotPath, signIn } from './support/browser';

const chromium = chromiumForThisFile();

// Written to test-results/e2e/ (git-ignored) for a person to look at; the test only checks that
// the pages rendered with their stylesheet.
it('captures the home page, the dashboard and the error page', async () => {
  const context = await chromium.newProfile();
  try {
    const page = await context.newPage();
    const styled = () =>
      page.evaluate(() => getComputedStyle(document.querySelector('main')!).maxWidth);

    await page.goto('/');
    await page.getByRole('heading', { name: 'Scalekit hosted login for Next.js' }).waitFor();
    expect(await styled()).not.toBe('none');
    await page.screenshot({ path: screenshotPath('home'), fullPage: true });

    await signIn(page, '/dashboard');
    await page.getByRole('button', { name: 'Record a visit' }).click();
    await page.getByRole('list', { name: 'Recorded visits' }).getByRole('listitem').waitFor();
    await page.getByRole('button', { name: 'Who am I?' }).click();
    expect(await page.getByTestId('api-email').textContent()).toBe(EMAILS.admin);
    await page.screenshot({ path: screenshotPath('dashboard'), fullPage: true });

    await page.goto('/api/callback?code=x&state=bogus');
    await page.getByRole('link', { name: 'Sign in again' }).waitFor();
    await page.screenshot({ path: screenshotPath('error'), fullPage: true });
  } finally {
    await context.close();
  }
});
