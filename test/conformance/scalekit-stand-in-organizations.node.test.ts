import type { ScalekitClient } from '@scalekit-sdk/node';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningIssuer } from '../tools/scalekit-stand-in';
import { IssuerBrowser } from '../tools/scalekit-stand-in/browser';
import { ACME_ORG_ID, GLOBEX_ORG_ID } from '../tools/scalekit-stand-in/users';
import {
  issuerWithSdk,
  POST_LOGOUT_URI,
  random,
  REDIRECT_URI,
  signIn,
  signInAgain,
  tokenRequest,
} from './scalekit-sdk-flows';

const ACME_ADMIN = {
  roles: ['admin'],
  permissions: ['organization:read', 'organization:write', 'members:invite'],
};
const GLOBEX_MEMBER = { roles: ['member'], permissions: ['organization:read'] };

const titles = (browser: IssuerBrowser) => browser.pages.map((page) => page.title);

/** The names of the buttons on a page, as a browser test finds them. */
const buttons = (html: string) =>
  [...html.matchAll(/<button[^>]*>([^<]*)<\/button>/g)].map(([, text]) => text);

describe('organizations on the local issuer', () => {
  let issuer: RunningIssuer;
  let scalekit: ScalekitClient;

  beforeAll(async () => {
    ({ issuer, scalekit } = await issuerWithSdk());
  });
  afterAll(() => issuer.close());

  /** Runs an authorization in `browser` that must end at the callback with an error. */
  async function failedAuthorization(
    options: { organizationId: string; prompt?: string },
    run: (browser: IssuerBrowser, url: string) => Promise<URL>,
    browser = new IssuerBrowser(),
  ) {
    const state = random();
    const callback = await run(
      browser,
      scalekit.getAuthorizationUrl(REDIRECT_URI, { state, ...options }),
    );
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.has('code')).toBe(false);
    expect(callback.searchParams.get('error_description')).toBeTruthy();
    return { error: callback.searchParams.get('error'), pages: titles(browser) };
  }

  describe('the organization picker (prompt=select_account)', () => {
    it('signs a user of two organizations in to the one chosen after login, with its roles', async () => {
      const result = await signIn(scalekit, 'multi', {
        prompt: 'select_account',
        organization: GLOBEX_ORG_ID,
      });

      expect(titles(result.browser)).toEqual(['Sign in', 'Choose an organization']);
      expect(decodeJwt(result.accessToken)).toMatchObject({
        sub: 'usr_multi_org',
        oid: GLOBEX_ORG_ID,
        ...GLOBEX_MEMBER,
      });
      expect(decodeJwt(result.idToken)).toMatchObject({ sub: 'usr_multi_org', oid: GLOBEX_ORG_ID });
    });

    it("lists every organization of the user as a button named 'Continue to <name>'", async () => {
      const { browser } = await signIn(scalekit, 'multi', {
        prompt: 'select_account',
        organization: ACME_ORG_ID,
      });
      const picker = browser.pages.find((page) => page.title === 'Choose an organization');

      expect(buttons(picker?.html ?? '')).toEqual(['Continue to Acme', 'Continue to Globex']);
      expect(picker?.html).toContain('Signed in as morgan@acme.test');
      expect(picker?.html).toContain(`name="organization" value="${GLOBEX_ORG_ID}"`);
    });

    it('goes straight to the picker, without the login page, while the issuer session lasts', async () => {
      const first = await signIn(scalekit, 'multi');
      const second = await signInAgain(scalekit, first.browser, {
        prompt: 'select_account',
        organization: GLOBEX_ORG_ID,
      });

      expect(titles(second.browser)).toEqual(['Choose an organization']);
      expect(decodeJwt(second.accessToken)).toMatchObject({
        sub: 'usr_multi_org',
        sid: decodeJwt(first.accessToken).sid,
        oid: GLOBEX_ORG_ID,
        ...GLOBEX_MEMBER,
      });
    });

    it('skips the picker for a user of one organization', async () => {
      const result = await signIn(scalekit, 'admin', { prompt: 'select_account' });

      expect(titles(result.browser)).toEqual(['Sign in']);
      expect(decodeJwt(result.accessToken)).toMatchObject({ oid: ACME_ORG_ID, roles: ['admin'] });
    });

    it('signs a user of two organizations in to the first one when nothing asks to choose', async () => {
      const result = await signIn(scalekit, 'multi');

      expect(titles(result.browser)).toEqual(['Sign in']);
      expect(decodeJwt(result.accessToken)).toMatchObject({ oid: ACME_ORG_ID, ...ACME_ADMIN });
    });
  });

  describe('organization_id', () => {
    it('with prompt=select_account signs in to that organization without the picker', async () => {
      const fresh = await signIn(scalekit, 'multi', {
        prompt: 'select_account',
        organizationId: GLOBEX_ORG_ID,
      });
      const freshPages = titles(fresh.browser);
      const live = await signInAgain(scalekit, fresh.browser, {
        prompt: 'select_account',
        organizationId: ACME_ORG_ID,
      });

      expect(freshPages).toEqual(['Sign in']);
      expect(titles(live.browser)).toEqual([]);
      expect(decodeJwt(fresh.accessToken)).toMatchObject({ oid: GLOBEX_ORG_ID, ...GLOBEX_MEMBER });
      expect(decodeJwt(live.accessToken)).toMatchObject({ oid: ACME_ORG_ID, ...ACME_ADMIN });
    });

    it('alone shows the login page of that organization’s SSO connection, even during a session', async () => {
      const first = await signIn(scalekit, 'multi', { organizationId: GLOBEX_ORG_ID });
      const [page, ...more] = first.browser.pages;
      const again = await signIn(scalekit, 'multi', {
        browser: first.browser,
        organizationId: ACME_ORG_ID,
      });

      expect(more).toEqual([]);
      expect(page?.title).toBe('Sign in to Globex');
      expect(titles(again.browser)).toEqual(['Sign in to Acme']);
      expect(page?.html).toContain(`SSO connection of Globex (${GLOBEX_ORG_ID})`);
      expect(decodeJwt(first.accessToken)).toMatchObject({ oid: GLOBEX_ORG_ID, ...GLOBEX_MEMBER });
      expect(decodeJwt(again.accessToken)).toMatchObject({ oid: ACME_ORG_ID, ...ACME_ADMIN });
    });

    it('of an organization the user does not belong to ends at the callback with access_denied', async () => {
      const viaSso = await failedAuthorization({ organizationId: GLOBEX_ORG_ID }, (browser, url) =>
        browser.login(url, 'admin'),
      );
      const { browser } = await signIn(scalekit, 'admin');
      const viaSession = await failedAuthorization(
        { organizationId: GLOBEX_ORG_ID, prompt: 'select_account' },
        (session, url) => session.continueSession(url),
        browser,
      );

      expect(viaSso).toEqual({ error: 'access_denied', pages: ['Sign in to Globex'] });
      expect(viaSession).toEqual({ error: 'access_denied', pages: [] });
    });

    it('of an unknown organization ends at the callback with invalid_organization_id, no page shown', async () => {
      const alone = await failedAuthorization(
        { organizationId: 'org_unknown0001' },
        (browser, url) => browser.continueSession(url),
      );
      const withPicker = await failedAuthorization(
        { organizationId: 'org_unknown0001', prompt: 'select_account' },
        (browser, url) => browser.continueSession(url),
      );

      expect(alone).toEqual({ error: 'invalid_organization_id', pages: [] });
      expect(withPicker).toEqual({ error: 'invalid_organization_id', pages: [] });
    });
  });

  describe('prompts and hints', () => {
    it('shows the login page for prompt=login although an issuer session exists', async () => {
      const first = await signIn(scalekit, 'admin');
      const silent = await signInAgain(scalekit, first.browser);
      const pagesWithoutPrompt = titles(silent.browser);
      const forced = await signIn(scalekit, 'admin', { browser: first.browser, prompt: 'login' });

      expect(pagesWithoutPrompt).toEqual([]);
      expect(titles(forced.browser)).toEqual(['Sign in']);
      expect(decodeJwt(forced.accessToken).sub).toBe('usr_acme_admin');
    });

    it('shows the login page for prompt=create, the sign-up page, although a session exists', async () => {
      const first = await signIn(scalekit, 'admin');
      const signUp = await signIn(scalekit, 'member', { browser: first.browser, prompt: 'create' });

      expect(titles(signUp.browser)).toContain('Sign in');
      expect(decodeJwt(signUp.accessToken).sub).toBe('usr_acme_member');
    });

    it('accepts login_hint and names the hinted user on the login page, focused', async () => {
      const { browser, user } = await signIn(scalekit, 'multi', { loginHint: 'morgan@acme.test' });
      const html = browser.pages[0]?.html ?? '';

      expect(html).toContain('Signing in as morgan@acme.test');
      expect(html).toMatch(
        /<button[^>]*value="multi"[^>]*autofocus[^>]*>Continue as morgan@acme\.test</,
      );
      expect(html.match(/autofocus/g)).toHaveLength(1);
      expect(user.email).toBe('morgan@acme.test');
    });
  });

  describe('the organization of a grant', () => {
    it('stays with its refresh tokens', async () => {
      const { refreshToken } = await signIn(scalekit, 'multi', {
        prompt: 'select_account',
        organization: GLOBEX_ORG_ID,
      });

      const refreshed = await scalekit.refreshAccessToken(refreshToken);
      const again = await scalekit.refreshAccessToken(refreshed.refreshToken);

      expect(decodeJwt(refreshed.accessToken)).toMatchObject({
        oid: GLOBEX_ORG_ID,
        ...GLOBEX_MEMBER,
      });
      expect(decodeJwt(again.accessToken)).toMatchObject({ oid: GLOBEX_ORG_ID, ...GLOBEX_MEMBER });
    });

    it('does not move when the same session signs in to another organization', async () => {
      const acme = await signIn(scalekit, 'multi', {
        prompt: 'select_account',
        organization: ACME_ORG_ID,
      });
      const globex = await signInAgain(scalekit, acme.browser, {
        prompt: 'select_account',
        organization: GLOBEX_ORG_ID,
      });

      expect(decodeJwt(globex.accessToken)).toMatchObject({ oid: GLOBEX_ORG_ID, ...GLOBEX_MEMBER });
      const fromAcme = await scalekit.refreshAccessToken(acme.refreshToken);
      const fromGlobex = await scalekit.refreshAccessToken(globex.refreshToken);
      expect(decodeJwt(fromAcme.accessToken)).toMatchObject({ oid: ACME_ORG_ID, ...ACME_ADMIN });
      expect(decodeJwt(fromGlobex.accessToken)).toMatchObject({
        oid: GLOBEX_ORG_ID,
        ...GLOBEX_MEMBER,
      });
    });

    it('ends, for every organization of the session, when the session logs out', async () => {
      const acme = await signIn(scalekit, 'multi');
      const globex = await signInAgain(scalekit, acme.browser, {
        prompt: 'select_account',
        organization: GLOBEX_ORG_ID,
      });

      await acme.browser.logout(
        scalekit.getLogoutUrl({
          idTokenHint: globex.idToken,
          postLogoutRedirectUri: POST_LOGOUT_URI,
        }),
      );

      for (const { refreshToken } of [acme, globex]) {
        expect(
          await tokenRequest(issuer, { grant_type: 'refresh_token', refresh_token: refreshToken }),
        ).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      }
    });
  });
});
