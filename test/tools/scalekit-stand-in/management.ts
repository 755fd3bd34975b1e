import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, type ConnectRouter, type Interceptor } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { MembershipStatus } from '@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/commons/commons_pb.js';
import { OrganizationService } from '@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/organizations/organizations_pb.js';
import { SessionService } from '@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/sessions/sessions_pb.js';
import { UserService } from '@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/users/users_pb.js';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { Administration } from './administration';
import { DirectoryError, type DirectorySession, type Membership } from './directory';
import type { KeyRing } from './keys';
import type { Person } from './users';

/**
 * Scalekit's management API as the SDK calls it: gRPC (Connect's gRPC transport over HTTP/2) on
 * the environment URL, with the service definitions generated into `@scalekit-sdk/node`
 * (lib/pkg/grpc/scalekit/v1/*). Only the calls the app makes are implemented; the router answers
 * the others with Unimplemented.
 */
export function managementHandler(
  administration: Administration,
  verifier: { issuer: string; clientId: string; keys: KeyRing },
) {
  return connectNodeAdapter({
    interceptors: [requireClientToken(verifier)],
    routes: (router: ConnectRouter) => {
      router.service(UserService, userService(administration));
      router.service(SessionService, sessionService(administration));
      router.service(OrganizationService, organizationService(administration));
    },
  });
}

/**
 * Every call carries the client-credentials token from `/oauth/token` (the SDK's `connectExec`
 * fetches one on Unauthenticated and retries). The stand-in checks it as its own JWT: its keys,
 * its issuer, this client, and a client's token rather than a user's (`sub` is the client id).
 */
function requireClientToken(verifier: {
  issuer: string;
  clientId: string;
  keys: KeyRing;
}): Interceptor {
  return (next) => async (req) => {
    const token = /^Bearer (\S+)$/.exec(req.header.get('authorization') ?? '')?.[1];
    if (!token) throw new ConnectError('missing bearer token', Code.Unauthenticated);
    try {
      const { payload } = await jwtVerify(
        token,
        createLocalJWKSet({ keys: verifier.keys.publicJwks() }),
        { issuer: verifier.issuer, audience: verifier.clientId },
      );
      if (payload.sub !== verifier.clientId) throw new Error('not a client-credentials token');
    } catch {
      throw new ConnectError('invalid bearer token', Code.Unauthenticated);
    }
    return next(req);
  };
}

/** Scalekit's errors as gRPC codes (what the SDK turns into ScalekitNotFoundException, …). */
const CODES: Record<DirectoryError['code'], Code> = {
  not_found: Code.NotFound,
  invalid_argument: Code.InvalidArgument,
  already_exists: Code.AlreadyExists,
  failed_precondition: Code.FailedPrecondition,
};

/** Runs one call, turning the directory's refusals into their gRPC codes. */
function call<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof DirectoryError) throw new ConnectError(error.message, CODES[error.code]);
    throw error;
  }
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new ConnectError(`${name} is required`, Code.InvalidArgument);
  return value;
}

/** The SDK sends `identities: { case: 'id', value }`; the stand-in knows no external ids. */
function idOf(identities: { case: string | undefined; value?: unknown }): string {
  if (identities.case !== 'id') {
    throw new ConnectError('only identities.id is supported', Code.InvalidArgument);
  }
  return required(String(identities.value ?? ''), 'id');
}

const timestamp = (date: Date | undefined) => (date ? timestampFromDate(date) : undefined);

/** A page of `items`: `pageToken` is the offset as text, Scalekit's own token format is opaque. */
function page<T>(items: T[], pageSize: number, pageToken: string) {
  const size = pageSize > 0 ? Math.min(pageSize, 100) : 10;
  const start = pageToken === '' ? 0 : Number(pageToken);
  if (!Number.isInteger(start) || start < 0) {
    throw new ConnectError('invalid page_token', Code.InvalidArgument);
  }
  const end = start + size;
  return {
    items: items.slice(start, end),
    nextPageToken: end < items.length ? String(end) : '',
    prevPageToken: start > 0 ? String(Math.max(0, start - size)) : '',
    totalSize: items.length,
  };
}

function userService(administration: Administration) {
  const { directory } = administration;

  const membershipMessage = (membership: Membership) => {
    const name = directory.organization(membership.organizationId)?.name;
    return {
      organizationId: membership.organizationId,
      membershipStatus:
        membership.status === 'active' ? MembershipStatus.ACTIVE : MembershipStatus.PENDING_INVITE,
      roles: membership.roles.map((role) => ({ name: role, displayName: role })),
      permissions: membership.permissions,
      name,
      displayName: name,
      inviterEmail: membership.inviterEmail,
      createdAt: timestamp(membership.createdAt),
      joinTime: timestamp(membership.acceptedAt),
      acceptedAt: timestamp(membership.acceptedAt),
    };
  };
  const userMessage = (user: Person, memberships = directory.memberships(user.id)) => ({
    id: user.id,
    email: user.email,
    memberships: memberships.map(membershipMessage),
    userProfile: {
      id: user.id,
      givenName: user.givenName,
      familyName: user.familyName,
      firstName: user.givenName,
      lastName: user.familyName,
      name: `${user.givenName} ${user.familyName}`.trim(),
      emailVerified: memberships.some((membership) => membership.status === 'active'),
    },
  });
  const requireUser = (id: string) => {
    const user = directory.user(id);
    if (!user) throw new ConnectError('user not found', Code.NotFound);
    return user;
  };

  return {
    getUser: (req: { identities: { case: string | undefined; value?: unknown } }) =>
      call(() => ({ user: userMessage(requireUser(idOf(req.identities))) })),

    listOrganizationUsers: (req: { organizationId: string; pageSize: number; pageToken: string }) =>
      call(() => {
        const members = directory.members(required(req.organizationId, 'organization_id'));
        const { items, ...paging } = page(members, req.pageSize, req.pageToken);
        // Each user with their membership in this organization, as the list is per organization.
        return {
          ...paging,
          users: items.map(({ user, membership }) => userMessage(user, [membership])),
        };
      }),

    createUserAndMembership: (req: {
      organizationId: string;
      user?: { email: string; userProfile?: { firstName?: string; lastName?: string } };
    }) =>
      call(() => {
        const { user } = administration.invite(
          required(req.organizationId, 'organization_id'),
          required(req.user?.email, 'user.email'),
          {
            givenName: req.user?.userProfile?.firstName,
            familyName: req.user?.userProfile?.lastName,
          },
        );
        return { user: userMessage(user) };
      }),

    resendInvite: (req: { organizationId: string; id: string }) =>
      call(() => {
        const invitation = administration.resendInvite(
          required(req.organizationId, 'organization_id'),
          required(req.id, 'id'),
        );
        return {
          invite: {
            organizationId: invitation.organizationId,
            userId: invitation.userId,
            inviterEmail: invitation.inviterEmail,
            status: invitation.status,
            createdAt: timestamp(invitation.createdAt),
            expiresAt: timestamp(invitation.expiresAt),
            resentAt: timestamp(invitation.resentAt),
            resentCount: invitation.resentCount,
          },
        };
      }),

    updateMembership: (req: {
      organizationId: string;
      identities: { case: string | undefined; value?: unknown };
      membership?: { roles: Array<{ name: string }> };
    }) =>
      call(() => {
        const userId = idOf(req.identities);
        administration.updateMembership(
          required(req.organizationId, 'organization_id'),
          userId,
          (req.membership?.roles ?? []).map((role) => role.name),
        );
        return { user: userMessage(requireUser(userId)) };
      }),

    deleteMembership: (req: {
      organizationId: string;
      identities: { case: string | undefined; value?: unknown };
    }) =>
      call(() => {
        administration.deleteMembership(
          required(req.organizationId, 'organization_id'),
          idOf(req.identities),
        );
        return {};
      }),
  };
}

function sessionService(administration: Administration) {
  const { directory } = administration;

  // RevokedSessionDetails: the session's own fields, without organizations and device.
  const revokedMessage = (session: DirectorySession) => ({
    sessionId: session.sessionId,
    userId: session.userId,
    createdAt: timestamp(session.createdAt),
    updatedAt: timestamp(session.endedAt ?? session.lastActiveAt),
    lastActiveAt: timestamp(session.lastActiveAt),
    logoutAt: timestamp(session.endedAt),
    status: session.status,
  });
  const sessionMessage = (session: DirectorySession) => ({
    ...revokedMessage(session),
    organizationId: session.organizationId,
    authenticatedOrganizations: session.authenticatedOrganizations,
    // Scalekit parses the browser and OS from the user agent and locates the IP; the stand-in
    // reports the raw user agent and IP only.
    device: { userAgent: session.userAgent, ip: session.ip },
  });

  return {
    getUserSessions: (req: {
      userId: string;
      pageSize: number;
      pageToken: string;
      filter?: { status: string[] };
    }) =>
      call(() => {
        const statuses = req.filter?.status ?? [];
        const sessions = directory
          .sessionsOf(required(req.userId, 'user_id'))
          .filter((session) => statuses.length === 0 || statuses.includes(session.status));
        const { items, ...paging } = page(sessions, req.pageSize, req.pageToken);
        return { ...paging, sessions: items.map(sessionMessage) };
      }),

    revokeSession: (req: { sessionId: string }) =>
      call(() => ({
        revokedSession: revokedMessage(
          administration.revokeSession(required(req.sessionId, 'session_id')),
        ),
      })),

    revokeAllUserSessions: (req: { userId: string }) =>
      call(() => {
        const userId = required(req.userId, 'user_id');
        if (!directory.user(userId)) throw new ConnectError('user not found', Code.NotFound);
        const revoked = administration.revokeAllUserSessions(userId);
        return { revokedSessions: revoked.map(revokedMessage), totalRevoked: revoked.length };
      }),
  };
}

function organizationService(administration: Administration) {
  const { directory } = administration;
  const requireOrganization = (id: string) => {
    const organization = directory.organization(id);
    if (!organization) throw new ConnectError('organization not found', Code.NotFound);
    return organization;
  };

  return {
    getOrganization: (req: { identities: { case: string | undefined; value?: unknown } }) =>
      call(() => {
        const organization = requireOrganization(idOf(req.identities));
        return { organization: { id: organization.id, displayName: organization.name } };
      }),

    generatePortalLink: (req: { id: string }) =>
      call(() => {
        requireOrganization(required(req.id, 'id'));
        const link = administration.generatePortalLink(req.id);
        return {
          link: { id: link.id, location: link.location, expireTime: timestamp(link.expiresAt) },
        };
      }),
  };
}
