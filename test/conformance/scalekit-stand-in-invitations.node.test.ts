import type { ScalekitClient } from '@scalekit-sdk/node';
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issuerControl } from '../support/issuer-control';
import type { RunningIssuer } from '../tools/scalekit-stand-in';
import { IssuerBrowser } from '../tools/scalekit-stand-in/browser';
import { ACME_ORG_ID } from '../tools/scalekit-stand-in/users';
import {
  APP_URL,
  issuerWithSdk,
  OFFLINE_SCOPES,
  pkcePair,
  random,
  REDIRECT_URI,
} from './scalekit-sdk-flows';
import { webhookReceiver } from './webhook-receiver';

// Scalekit's invitation and password-reset flows end at the app's initiate-login URL (docs:
// guides/dashboard/intitate-login-endpoint, fsa/guides/user-invitations). The test plays the app:
// its `/login` is INITIATE_LOGIN_URI, which forwards the parameters it does not own.

const INITIATE_LOGIN_URI = `${APP_URL}/login`;

/** A browser request without following redirects: status and Location. */
async function visit(url: string, method: 'GET' | 'POST' = 'GET') {
  const response = await fetch(url, { method, redirect: 'manual' });
  return {
    status: response.status,
    location: response.headers.get('location'),
    html: await response.text(),
  };
}

describe('invitations and the initiate-login URL on the local issuer', () => {
  let issuer: RunningIssuer;
  let scalekit: ScalekitClient;

  beforeEach(async () => {
    ({ issuer, scalekit } = await issuerWithSdk());
    await issuerControl(issuer.url).setInitiateLoginUri(INITIATE_LOGIN_URI);
  });
  afterEach(() => issuer.close());

  /** What the app's `/login` does with the initiate-login URL: a sign-in that keeps its query. */
  async function signInFrom(initiateLogin: URL, browser = new IssuerBrowser()) {
    const { verifier, challenge } = pkcePair();
    const state = random();
    const authorizeUrl = new URL(
      scalekit.getAuthorizationUrl(REDIRECT_URI, {
        scopes: OFFLINE_SCOPES,
        state,
        codeChallenge: challenge,
        codeChallengeMethod: 'S256',
      }),
    );
    for (const [name, value] of initiateLogin.searchParams) {
      authorizeUrl.searchParams.set(name, value);
    }
    const callback = await browser.continueSession(authorizeUrl.href);
    expect(callback.searchParams.get('state')).toBe(state);
    const code = callback.searchParams.get('code');
    if (!code) throw new Error(`no code in ${callback.href}`);
    return scalekit.authenticateWithCode(code, REDIRECT_URI, { codeVerifier: verifier });
  }

  /** An invitation made through the SDK, and the link the stand-in recorded for its email. */
  async function invite(email: string) {
    const { user } = await scalekit.user.createUserAndMembership(ACME_ORG_ID, { email });
    const links = await issuerControl(issuer.url).invitations();
    const link = links.find((invitation) => invitation.userId === user?.id);
    if (!link) throw new Error(`no invitation recorded for ${email}`);
    return { userId: link.userId, url: link.url };
  }

  it('invitation: the link shows whom it invites where, with one button to accept', async () => {
    const { url } = await invite('new.hire@acme.test');
    const page = await visit(url);

    expect(page.status).toBe(200);
    expect(page.html).toContain('<title>Join Acme</title>');
    expect(page.html).toContain('new.hire@acme.test is invited to Acme.');
    expect(page.html).toContain('<button type="submit">Accept invitation</button>');
  });

  it('invitation: accepting redirects to the initiate-login URL with the invitation parameter and activates the membership', async () => {
    const receiver = await webhookReceiver(issuer);
    const { url, userId } = await invite('new.hire@acme.test');
    await receiver.next(); // user.organization_invitation
    const accepted = await visit(url, 'POST');
    const target = new URL(accepted.location ?? '');
    const { user } = await scalekit.user.getUser(userId);

    expect(accepted.status).toBe(303);
    expect(target.origin + target.pathname).toBe(INITIATE_LOGIN_URI);
    expect([...target.searchParams.keys()]).toEqual(['invitation_token']);
    expect(user?.memberships[0]?.acceptedAt).toBeDefined();
    expect(await receiver.next()).toMatchObject({
      type: 'user.organization_membership_created',
      data: { organization: { id: ACME_ORG_ID }, user: { id: userId } },
    });
  });

  it('invitation: the authorize request carrying it signs the invitee in to that organization without the login page', async () => {
    const { url, userId } = await invite('new.hire@acme.test');
    const target = new URL((await visit(url, 'POST')).location ?? '');
    const browser = new IssuerBrowser();

    const tokens = await signInFrom(target, browser);

    expect(browser.pages).toEqual([]);
    expect(decodeJwt(tokens.accessToken)).toMatchObject({
      sub: userId,
      oid: ACME_ORG_ID,
      roles: ['member'],
    });
    expect(decodeJwt(tokens.idToken)).toMatchObject({ email: 'new.hire@acme.test' });
  });

  it('invitation: a replayed or forged invitation parameter verifies nobody, the login page asks', async () => {
    const { url } = await invite('new.hire@acme.test');
    const target = new URL((await visit(url, 'POST')).location ?? '');
    await signInFrom(target);
    const forged = new URL(INITIATE_LOGIN_URI);
    forged.searchParams.set('invitation_token', random());

    for (const initiateLogin of [target, forged]) {
      await expect(signInFrom(initiateLogin)).rejects.toThrow(/asked who signs in/);
    }
  });

  it('invitation: a link that is accepted, unknown or of a removed member shows a 404 page', async () => {
    const accepted = await invite('accepted@acme.test');
    await visit(accepted.url, 'POST');
    const removed = await invite('removed@acme.test');
    await scalekit.user.deleteMembership(ACME_ORG_ID, removed.userId);

    for (const url of [accepted.url, removed.url, `${issuer.url}/invitations/${random()}`]) {
      const page = await visit(url, 'POST');
      expect(page.status).toBe(404);
      expect(page.html).toContain('The invitation is invalid or expired');
    }
  });

  it('invitation: an invitee who has not accepted cannot sign in to the organization', async () => {
    const { userId } = await invite('pending@acme.test');
    if (!userId.startsWith('usr_')) throw new Error(`unexpected user id ${userId}`);
    const state = random();
    const callback = await new IssuerBrowser().login(
      scalekit.getAuthorizationUrl(REDIRECT_URI, { state }),
      userId as `usr_${string}`,
    );

    expect(callback.searchParams.get('error')).toBe('access_denied');
  });

  it('initiate login after a password reset: the browser lands on the initiate-login URL with no parameters', async () => {
    const page = await visit(`${issuer.url}/password-reset`);
    const done = await visit(`${issuer.url}/password-reset`, 'POST');

    expect(page.html).toContain('<button type="submit">Set new password</button>');
    expect(done).toMatchObject({ status: 303, location: INITIATE_LOGIN_URI });
  });
});
