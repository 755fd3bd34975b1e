import { randomBytes } from 'node:crypto';
import { Code, ConnectError } from '@connectrpc/connect';
import { ScalekitClient, ScalekitServerException } from '@scalekit-sdk/node';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { isRevoked } from '@/lib/edge/revocation';
import { managementCall, managementErrorCode } from '@/lib/server/management/call';
import {
  changeMemberRole,
  inviteMember,
  listMembers,
  removeMember,
  resendInvitation,
} from '@/lib/server/management/members';
import { organizationsOf } from '@/lib/server/management/organizations';
import { adminPortalLink } from '@/lib/server/management/portal';
import { activeSessionsOf, endSession, endSessionsOf } from '@/lib/server/management/sessions';
import { scalekit } from '@/lib/server/scalekit';
import { createMemoryStore } from '@/lib/server/store/memory-store';
import { signIn } from '../../../conformance/scalekit-sdk-flows';
import { captureAuthLog } from '../../../support/auth-log';
import { issuerControl } from '../../../support/issuer-control';

// lib/server/management against the local issuer's management API through the real SDK. The
// issuer is shared by the node project, so these tests change only people they invite themselves.

const ACME = 'org_acme0001';
const issuer = issuerControl(inject('issuerUrl'));
const config = { sessionMaxAgeSeconds: 3600, revocationOnStoreError: 'deny' as const };

afterEach(async () => {
  await issuer.setFault('management', null);
  vi.restoreAllMocks();
});

const newAddress = () => `managed-${randomBytes(4).toString('hex')}@acme.test`;

/** Invites a new address to Acme and accepts, so the person can sign in. */
async function activeInvitee() {
  await issuer.setInitiateLoginUri('http://127.0.0.1:3999/login');
  const { userId, url } = await issuer.invite(ACME, newAddress());
  await fetch(url, { method: 'POST', redirect: 'manual' });
  return userId as `usr_${string}`;
}

describe('managementCall', () => {
  it("answers not_found for the SDK's NotFound, and logs nothing for an input error", async () => {
    const warn = vi.spyOn(console, 'warn');
    const result = await managementCall('user.getUser', () =>
      scalekit().user.getUser('usr_nobody'),
    );

    expect(result).toEqual({ ok: false, code: 'not_found' });
    expect(warn).not.toHaveBeenCalled();
  });

  it('reads 429 (ResourceExhausted) as rate_limited and Unavailable as unavailable, from the SDK exception', () => {
    const promoted = (code: Code) =>
      ScalekitServerException.promote(new ConnectError('provider text', code));

    expect(managementErrorCode(promoted(Code.ResourceExhausted))).toBe('rate_limited');
    expect(managementErrorCode(promoted(Code.Unavailable))).toBe('unavailable');
    expect(managementErrorCode(promoted(Code.AlreadyExists))).toBe('already_exists');
    expect(managementErrorCode(new Error('anything else'))).toBe('failed');
  });

  it('gives up at its deadline when the management API hangs: unavailable, and one log line with no provider text', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await issuer.setFault('management', 'hang');

    const result = await managementCall(
      'user.getUser',
      () => scalekit().user.getUser('usr_acme_admin'),
      300,
    );

    expect(result).toEqual({ ok: false, code: 'unavailable' });
    expect(warn.mock.calls).toEqual([
      [
        JSON.stringify({
          event: 'management_failure',
          level: 'warn',
          operation: 'user.getUser',
          code: 'unavailable',
        }),
      ],
    ]);
  });
});

describe('organizationsOf', () => {
  it("lists Morgan's organizations by name with the roles there, and reuses the answer", async () => {
    const first = await organizationsOf('usr_multi_org');
    await issuer.setFault('management', 'error');
    // Served from memory: the failing management API is not asked, so nothing is logged either.
    const { result: cached, lines } = await captureAuthLog(() => organizationsOf('usr_multi_org'));
    expect(lines).toEqual([]);

    expect(first).toEqual({
      ok: true,
      value: [
        { id: ACME, name: 'Acme', roles: ['admin'] },
        { id: 'org_globex0001', name: 'Globex', roles: ['member'] },
      ],
    });
    expect(cached).toEqual(first);
  });
});

describe('members', () => {
  it('invites with a role, lists the invitee as invited with it, and resends', async () => {
    const email = newAddress();
    const invited = await inviteMember(ACME, email, 'admin');
    const members = await listMembers(ACME);
    const resent = await resendInvitation(ACME, invited.ok ? invited.value.userId : '');

    expect(members.ok && members.value.find((member) => member.email === email)).toMatchObject({
      roles: ['admin'],
      status: 'invited',
    });
    expect(resent).toEqual({ ok: true, value: undefined });
  });

  it('refuses to invite an existing member with already_exists', async () => {
    expect(await inviteMember(ACME, 'member@acme.test', 'member')).toEqual({
      ok: false,
      code: 'already_exists',
    });
  });

  it("changes a member's role", async () => {
    const userId = await activeInvitee();
    await changeMemberRole(ACME, userId, 'admin');
    const members = await listMembers(ACME);

    expect(members.ok && members.value.find((member) => member.userId === userId)?.roles).toEqual([
      'admin',
    ]);
  });

  it("removes a member and puts their sessions in that organization on this app's revocation list at once", async () => {
    const userId = await activeInvitee();
    const store = createMemoryStore();
    const claims = { sid: 'ses_any', sub: userId, oid: ACME, iat: Math.floor(Date.now() / 1000) };
    const before = await isRevoked(store, claims, config);

    const removed = await removeMember(ACME, userId, { store, config });
    const members = await listMembers(ACME);

    expect(before).toBe(false);
    expect(removed).toEqual({ ok: true, value: undefined });
    expect(await isRevoked(store, claims, config)).toBe(true);
    expect(members.ok && members.value.some((member) => member.userId === userId)).toBe(false);
  });
});

describe('sessions', () => {
  it('lists the active sessions, ends one, then every other one: each on the revocation list', async () => {
    const userId = await activeInvitee();
    const sdk = new ScalekitClient(inject('issuerUrl'), inject('clientId'), inject('clientSecret'));
    const sids = [];
    for (let i = 0; i < 3; i += 1) {
      sids.push(String(decodeJwt((await signIn(sdk, userId)).accessToken).sid));
    }
    const [kept, one, other] = sids as [string, string, string];
    const store = createMemoryStore();

    const listed = await activeSessionsOf(userId);
    await endSession(one, { store, config });
    const ended = await endSessionsOf(userId, { store, config }, kept);
    const left = await activeSessionsOf(userId);
    const revoked = async (sid: string) =>
      isRevoked(store, { sid, sub: userId, oid: ACME, iat: 0 }, config);

    expect(listed.ok && listed.value.map((session) => session.sessionId).sort()).toEqual(
      [...sids].sort(),
    );
    expect(listed.ok && listed.value[0]).toMatchObject({
      location: expect.stringContaining('127.0.0.1'),
    });
    expect(ended).toEqual({ ok: true, value: 1 });
    expect(left.ok && left.value.map((session) => session.sessionId)).toEqual([kept]);
    expect([await revoked(one), await revoked(other), await revoked(kept)]).toEqual([
      true,
      true,
      false,
    ]);
  });
});

describe('adminPortalLink', () => {
  it("makes a new link to the organization's portal on every call", async () => {
    const first = await adminPortalLink(ACME);
    const second = await adminPortalLink(ACME);

    expect(first.ok && first.value).toMatch(new RegExp(`^${inject('issuerUrl')}/portal/`));
    expect(second.ok && second.value).not.toBe(first.ok && first.value);
  });
});
