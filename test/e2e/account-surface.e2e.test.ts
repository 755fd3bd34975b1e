import { randomBytes } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  APP_URL,
  chromiumForThisFile,
  isIssuerUrl,
  issuer,
  signIn,
  TTL_SECONDS,
} from './support/browser';

// The account surface against the stand-in's management API: members and invitations, sessions,
// organizations by name, the admin portal. The suite shares one stand-in, so every test that
// changes memberships or ends sessions does it to people it invites itself.

const chromium = chromiumForThisFile();
const contexts: BrowserContext[] = [];
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

const ACME = 'org_acme0001';
const GLOBEX = 'org_globex0001';
/** A refused session shows within one token lifetime (a refresh is due), plus slack for the machine. */
const WITHIN_A_REFRESH = { timeout: (TTL_SECONDS + 20) * 1000, interval: 500 };

async function newPage(): Promise<Page> {
  const context = await chromium.newProfile();
  contexts.push(context);
  return context.newPage();
}

const newAddress = () => `invitee-${randomBytes(4).toString('hex')}@acme.test`;

/** Follows an invitation link as the invitee: accept, then on through the app's /login. */
async function acceptInvitation(page: Page, link: string): Promise<void> {
  await page.goto(link);
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await page.waitForURL((url) => url.origin === APP_URL && url.pathname !== '/login');
}

/** Where a document request for the dashboard ends now (after any refresh or sign-in hops). */
async function dashboardLandsOn(page: Page): Promise<string> {
  await page.goto('/dashboard');
  const url = new URL(page.url());
  return url.origin === APP_URL ? url.pathname : url.origin;
}

describe('members and invitations', () => {
  it('invitation: an admin invites a new address, who accepts on the stand-in and lands signed in to Acme; the admin changes their role and removes them, and their next protected request is refused', async () => {
    const email = newAddress();
    const admin = await newPage();
    await signIn(admin, '/dashboard/members', 'admin');
    await admin.getByLabel('Email').fill(email);
    await admin.getByLabel('Role', { exact: true }).selectOption('member');
    await admin.getByRole('button', { name: 'Invite' }).click();
    await admin.getByText(`Invited ${email}.`).waitFor();
    const row = admin.getByRole('row', { name: email });
    expect(await row.getByTestId('member-status').textContent()).toBe('invited');

    const link = (await issuer.invitations()).find((invitation) => invitation.email === email);
    const invitee = await newPage();
    await acceptInvitation(invitee, link!.url);
    await invitee.goto('/dashboard');
    expect(await invitee.getByTestId('email').textContent()).toBe(email);
    expect(await invitee.getByTestId('organization').textContent()).toBe(ACME);

    await admin.reload();
    expect(await row.getByTestId('member-status').textContent()).toBe('active');
    await row.getByLabel(`Role for ${email}`).selectOption('admin');
    await row.getByRole('button', { name: 'Change role' }).click();
    await admin.getByText('Role changed to admin.').waitFor();
    expect(await row.getByTestId('member-roles').textContent()).toBe('admin');

    await row.getByRole('button', { name: 'Remove' }).click();
    await admin.getByText('Member removed.').waitFor();
    expect(await admin.getByRole('row', { name: email }).count()).toBe(0);
    await expect.poll(() => dashboardLandsOn(invitee), WITHIN_A_REFRESH).not.toBe('/dashboard');
  });

  it('shows the members page to an admin only: a member gets 403', async () => {
    const member = await newPage();
    await signIn(member, '/dashboard', 'member');
    const response = await member.goto('/dashboard/members');

    expect(response?.status()).toBe(403);
  });
});

describe('sessions', () => {
  it('sign out everywhere from one browser ends the session of a second browser', async () => {
    const email = newAddress();
    const { url } = await issuer.invite(ACME, email);
    const first = await newPage();
    await acceptInvitation(first, url);
    const second = await newPage();
    await second.goto('/dashboard');
    await second.waitForURL(isIssuerUrl);
    await second.getByRole('button', { name: `Continue as ${email}` }).click();
    await second.waitForURL(`${APP_URL}/dashboard`);

    // The invitation's sign-in was not forced, so Security settings asks for the password first.
    await first.goto('/dashboard/security');
    await first.waitForURL(isIssuerUrl);
    await first.getByRole('button', { name: `Continue as ${email}` }).click();
    await first.waitForURL(`${APP_URL}/dashboard/security`);
    const sessions = first.getByTestId('user-session');
    await expect.poll(() => sessions.count()).toBe(2);
    expect(await first.getByText('(this browser)').count()).toBe(1);
    await first.getByRole('button', { name: 'Sign out everywhere', exact: true }).click();
    await first.waitForURL((url) => url.href.startsWith(`${APP_URL}/auth/signed-out`));

    await expect.poll(() => dashboardLandsOn(second), WITHIN_A_REFRESH).not.toBe('/dashboard');
  });
});

describe('organizations by name', () => {
  it("the switcher shows Morgan's two organizations by name with the roles there, and switches", async () => {
    const page = await newPage();
    await signIn(page, '/dashboard', 'multi');
    const organizations = page.getByRole('list', { name: 'Your organizations' });

    // The switcher streams in a Suspense boundary: React may hold a streamed boundary hidden for a
    // moment before revealing it, and a hidden list has no list items, so wait for what is shown.
    const shown = () => organizations.getByRole('listitem').allTextContents();
    await expect.poll(shown).toEqual(['Acme (current) admin', 'Switch to Globex member']);
    await page.getByRole('button', { name: 'Switch to Globex' }).click();
    await expect.poll(() => page.getByTestId('organization').textContent()).toBe(GLOBEX);
    await expect.poll(shown).toEqual(['Switch to Acme admin', 'Globex (current) member']);
  });

  it('a person with one organization sees no switcher', async () => {
    const page = await newPage();
    await signIn(page, '/dashboard', 'member');
    await page.getByTestId('organization').waitFor();

    expect(await page.getByRole('button', { name: 'Switch organization' }).count()).toBe(0);
  });
});

describe('the admin portal', () => {
  it('an admin opens a freshly generated portal link; a member never sees it', async () => {
    const admin = await newPage();
    await signIn(admin, '/dashboard', 'admin');
    await admin.getByRole('button', { name: 'Set up SSO and SCIM' }).click();
    await admin.waitForURL(isIssuerUrl);
    expect(await admin.getByRole('heading', { level: 1 }).textContent()).toBe('Admin portal: Acme');

    const member = await newPage();
    await signIn(member, '/dashboard', 'member');
    await member.getByTestId('organization').waitFor();
    expect(await member.getByRole('button', { name: 'Set up SSO and SCIM' }).count()).toBe(0);
  });
});
