import { connect } from 'node:http2';
import { ScalekitClient } from '@scalekit-sdk/node';
import { MembershipStatus } from '@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/commons/commons_pb.js';
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningIssuer } from '../tools/scalekit-stand-in';
import { ACME_ORG_ID, GLOBEX_ORG_ID } from '../tools/scalekit-stand-in/users';
import {
  issuerWithSdk,
  random,
  REDIRECT_URI,
  signIn,
  signInAgain,
  tokenRequest,
} from './scalekit-sdk-flows';
import { webhookReceiver } from './webhook-receiver';

// The management API as the app calls it: the real SDK (gRPC over HTTP/2 through Connect, with a
// client-credentials token) against the stand-in, whose directory the hosted login reads too.

const refresh = (issuer: RunningIssuer, refreshToken: string) =>
  tokenRequest(issuer, { grant_type: 'refresh_token', refresh_token: refreshToken });

/** The gRPC status the SDK's exception carries (`ScalekitServerException.grpcStatus`). */
async function grpcStatusOf(call: Promise<unknown>): Promise<number> {
  const error = await call.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  const status = (error as { grpcStatus?: number } | undefined)?.grpcStatus;
  if (status === undefined) throw new Error(`expected a gRPC error, got ${String(error)}`);
  return status;
}

const NOT_FOUND = 5;
const INVALID_ARGUMENT = 3;
const ALREADY_EXISTS = 6;

describe('the management API of the local issuer, through the SDK', () => {
  let issuer: RunningIssuer;
  let scalekit: ScalekitClient;

  beforeEach(async () => {
    ({ issuer, scalekit } = await issuerWithSdk());
  });
  afterEach(() => issuer.close());

  describe('transport and authentication', () => {
    it('answers gRPC over cleartext HTTP/2 on the same port as the OAuth endpoints', async () => {
      const { user } = await scalekit.user.getUser('usr_acme_admin');
      const keys = await fetch(`${issuer.url}/keys`);

      expect(user?.email).toBe('admin@acme.test');
      expect(keys.status).toBe(200);
    });

    it('refuses a call without a bearer token with Unauthenticated', async () => {
      expect(await rawGetUserStatus(issuer, undefined)).toBe('16');
    });

    it("refuses a user's access token with Unauthenticated: the API takes the app's own token", async () => {
      const { accessToken } = await signIn(scalekit, 'admin');
      const clientToken = await tokenRequest(issuer, { grant_type: 'client_credentials' });

      expect(await rawGetUserStatus(issuer, accessToken)).toBe('16');
      expect(await rawGetUserStatus(issuer, String(clientToken.body.access_token))).toBe('0');
    });
  });

  describe('users and memberships', () => {
    it('getUser lists the memberships with organization names, roles and status', async () => {
      const { user } = await scalekit.user.getUser('usr_multi_org');

      expect(
        user?.memberships.map((membership) => ({
          id: membership.organizationId,
          name: membership.displayName,
          roles: membership.roles.map((role) => role.name),
          status: membership.membershipStatus,
        })),
      ).toEqual([
        { id: ACME_ORG_ID, name: 'Acme', roles: ['admin'], status: MembershipStatus.ACTIVE },
        { id: GLOBEX_ORG_ID, name: 'Globex', roles: ['member'], status: MembershipStatus.ACTIVE },
      ]);
      expect(user?.userProfile).toMatchObject({ givenName: 'Morgan', familyName: 'Multi' });
    });

    it('getUser of an unknown user is NotFound', async () => {
      expect(await grpcStatusOf(scalekit.user.getUser('usr_unknown'))).toBe(NOT_FOUND);
    });

    it('listOrganizationUsers lists each member with their roles there, page by page', async () => {
      const first = await scalekit.user.listOrganizationUsers(ACME_ORG_ID, { pageSize: 2 });
      const second = await scalekit.user.listOrganizationUsers(ACME_ORG_ID, {
        pageSize: 2,
        pageToken: first.nextPageToken,
      });

      expect(first.totalSize).toBe(3);
      expect(
        [...first.users, ...second.users].map((user) => [
          user.email,
          user.memberships.map((membership) => membership.roles.map((role) => role.name)),
        ]),
      ).toEqual([
        ['admin@acme.test', [['admin']]],
        ['member@acme.test', [['member']]],
        ['morgan@acme.test', [['admin']]],
      ]);
      expect(second.nextPageToken).toBe('');
    });

    it('createUserAndMembership invites: a pending member, and the user.organization_invitation webhook', async () => {
      const receiver = await webhookReceiver(issuer);
      const { user } = await scalekit.user.createUserAndMembership(ACME_ORG_ID, {
        email: 'new.hire@acme.test',
        sendInvitationEmail: true,
      });
      const members = await scalekit.user.listOrganizationUsers(ACME_ORG_ID, { pageSize: 10 });
      const invited = members.users.find((member) => member.id === user?.id);

      expect(user?.id).toMatch(/^usr_/);
      expect(invited?.memberships[0]?.membershipStatus).toBe(MembershipStatus.PENDING_INVITE);
      expect(await receiver.next()).toMatchObject({
        type: 'user.organization_invitation',
        organization_id: ACME_ORG_ID,
        data: {
          organization: { id: ACME_ORG_ID, display_name: 'Acme' },
          user: { id: user?.id, email: 'new.hire@acme.test' },
        },
      });
    });

    it('createUserAndMembership of an existing member is AlreadyExists, of an unknown organization NotFound', async () => {
      const again = scalekit.user.createUserAndMembership(ACME_ORG_ID, {
        email: 'member@acme.test',
      });
      const nowhere = scalekit.user.createUserAndMembership('org_unknown0001', {
        email: 'someone@acme.test',
      });

      expect(await grpcStatusOf(again)).toBe(ALREADY_EXISTS);
      expect(await grpcStatusOf(nowhere)).toBe(NOT_FOUND);
    });

    it('resendInvite counts resends of a pending invitation and refuses an active member with InvalidArgument', async () => {
      const { user } = await scalekit.user.createUserAndMembership(ACME_ORG_ID, {
        email: 'pending@acme.test',
      });
      await scalekit.user.resendInvite(ACME_ORG_ID, user?.id ?? '');
      const { invite } = await scalekit.user.resendInvite(ACME_ORG_ID, user?.id ?? '');

      expect(invite).toMatchObject({
        organizationId: ACME_ORG_ID,
        userId: user?.id,
        status: 'pending_invite',
        resentCount: 2,
      });
      expect(await grpcStatusOf(scalekit.user.resendInvite(ACME_ORG_ID, 'usr_acme_member'))).toBe(
        INVALID_ARGUMENT,
      );
    });

    it("updateMembership changes the member's roles and permissions from their next refresh", async () => {
      const { refreshToken } = await signIn(scalekit, 'member');
      await scalekit.user.updateMembership(ACME_ORG_ID, 'usr_acme_member', { roles: ['admin'] });
      const refreshed = await refresh(issuer, refreshToken);

      expect(decodeJwt(String(refreshed.body.access_token))).toMatchObject({
        roles: ['admin'],
        permissions: ['organization:read', 'organization:write', 'members:invite'],
      });
    });

    it('updateMembership to an unknown role is InvalidArgument', async () => {
      const call = scalekit.user.updateMembership(ACME_ORG_ID, 'usr_acme_member', {
        roles: ['owner'],
      });

      expect(await grpcStatusOf(call)).toBe(INVALID_ARGUMENT);
    });

    it('deleteMembership: the removed member cannot sign in there, and a refresh into it is invalid_grant', async () => {
      const receiver = await webhookReceiver(issuer);
      const acme = await signIn(scalekit, 'multi');
      const globex = await signInAgain(scalekit, acme.browser, {
        prompt: 'select_account',
        organization: GLOBEX_ORG_ID,
      });

      await scalekit.user.deleteMembership(GLOBEX_ORG_ID, 'usr_multi_org');
      const state = random();
      const callback = await acme.browser.continueSession(
        scalekit.getAuthorizationUrl(REDIRECT_URI, {
          state,
          organizationId: GLOBEX_ORG_ID,
          prompt: 'select_account',
        }),
      );

      expect(await refresh(issuer, globex.refreshToken)).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant' },
      });
      expect(callback.searchParams.get('error')).toBe('access_denied');
      // Their other organization is untouched.
      expect((await refresh(issuer, acme.refreshToken)).status).toBe(200);
      expect(await receiver.next()).toMatchObject({
        type: 'user.organization_membership_deleted',
        organization_id: GLOBEX_ORG_ID,
        data: { organization: { id: GLOBEX_ORG_ID }, user: { id: 'usr_multi_org' } },
      });
    });

    it('deleteMembership of someone who is no member is NotFound', async () => {
      expect(
        await grpcStatusOf(scalekit.user.deleteMembership(GLOBEX_ORG_ID, 'usr_acme_member')),
      ).toBe(NOT_FOUND);
    });
  });

  describe('sessions', () => {
    it('getUserSessions lists the sessions with device, address and last activity', async () => {
      const { accessToken } = await signIn(scalekit, 'admin');
      const { sessions } = await scalekit.session.getUserSessions('usr_acme_admin');

      expect(sessions).toHaveLength(1);
      expect(sessions[0]).toMatchObject({
        sessionId: decodeJwt(accessToken).sid,
        userId: 'usr_acme_admin',
        organizationId: ACME_ORG_ID,
        status: 'ACTIVE',
        device: { ip: expect.stringContaining('127.0.0.1') },
      });
      expect(sessions[0]?.lastActiveAt).toBeDefined();
    });

    it('revokeSession ends one session: it cannot refresh, the other one can, and user.logout goes out', async () => {
      const receiver = await webhookReceiver(issuer);
      const one = await signIn(scalekit, 'admin');
      const two = await signIn(scalekit, 'admin');
      const sid = String(decodeJwt(one.accessToken).sid);

      const { revokedSession } = await scalekit.session.revokeSession(sid);
      const listed = await scalekit.session.getUserSessions('usr_acme_admin', {
        filter: { status: ['REVOKED'] },
      });

      expect(revokedSession).toMatchObject({ sessionId: sid, status: 'REVOKED' });
      expect(listed.sessions.map((session) => session.sessionId)).toEqual([sid]);
      expect(await refresh(issuer, one.refreshToken)).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant' },
      });
      expect((await refresh(issuer, two.refreshToken)).status).toBe(200);
      expect(await receiver.next()).toMatchObject({
        type: 'user.logout',
        data: { user: { id: 'usr_acme_admin' }, user_session: { session_id: sid } },
      });
    });

    it('revokeSession ends the hosted session too: the next sign-in asks who signs in', async () => {
      const { accessToken, browser } = await signIn(scalekit, 'admin');
      await scalekit.session.revokeSession(String(decodeJwt(accessToken).sid));

      await expect(signInAgain(scalekit, browser)).rejects.toThrow(/asked who signs in/);
    });

    it('revokeAllUserSessions ends every active session of the user and no one else', async () => {
      const sessions = [await signIn(scalekit, 'admin'), await signIn(scalekit, 'admin')];
      const bystander = await signIn(scalekit, 'member');

      const { totalRevoked } = await scalekit.session.revokeAllUserSessions('usr_acme_admin');

      expect(totalRevoked).toBe(2);
      for (const { refreshToken } of sessions) {
        expect((await refresh(issuer, refreshToken)).status).toBe(400);
      }
      expect((await refresh(issuer, bystander.refreshToken)).status).toBe(200);
    });

    it('revokeSession of an unknown session is NotFound', async () => {
      expect(await grpcStatusOf(scalekit.session.revokeSession('ses_unknown'))).toBe(NOT_FOUND);
    });
  });

  describe('organizations and the admin portal', () => {
    it('getOrganization names the organization; an unknown one is NotFound', async () => {
      const { organization } = await scalekit.organization.getOrganization(GLOBEX_ORG_ID);

      expect(organization).toMatchObject({ id: GLOBEX_ORG_ID, displayName: 'Globex' });
      expect(await grpcStatusOf(scalekit.organization.getOrganization('org_unknown0001'))).toBe(
        NOT_FOUND,
      );
    });

    it('generatePortalLink gives a single-use link to the organization’s portal page', async () => {
      const link = await scalekit.organization.generatePortalLink(ACME_ORG_ID);
      const first = await fetch(link.location);
      const second = await fetch(link.location);

      expect(first.status).toBe(200);
      expect(await first.text()).toContain('Admin portal: Acme');
      expect(second.status).toBe(410);
      expect(link.expireTime).toBeDefined();
    });
  });
});

/**
 * One gRPC call made by hand (UserService/GetUser for the seeded admin), to see what the stand-in
 * answers a given bearer token without the SDK's fetch-a-token-and-retry. Resolves `grpc-status`.
 */
async function rawGetUserStatus(issuer: RunningIssuer, token: string | undefined) {
  const session = connect(issuer.url);
  try {
    const stream = session.request({
      ':method': 'POST',
      ':path': '/scalekit.v1.users.UserService/GetUser',
      'content-type': 'application/grpc',
      te: 'trailers',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    });
    // GetUserRequest { id: "usr_acme_admin" } (field 1, length-delimited), in a gRPC frame.
    const message = Buffer.concat([Buffer.from([0x0a, 14]), Buffer.from('usr_acme_admin')]);
    const frame = Buffer.alloc(5);
    frame.writeUInt32BE(message.length, 1);
    stream.end(Buffer.concat([frame, message]));
    return await new Promise<unknown>((resolve) => {
      let status: unknown;
      stream.on('response', (headers) => (status = headers['grpc-status'] ?? status));
      stream.on('trailers', (trailers) => (status = trailers['grpc-status'] ?? status));
      stream.on('close', () => resolve(status));
      stream.resume();
    });
  } finally {
    session.close();
  }
}
