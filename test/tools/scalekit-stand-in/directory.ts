import { randomBytes } from 'node:crypto';
import { scalekitId } from './ids';
import {
  isRole,
  ORGANIZATIONS,
  ROLE_PERMISSIONS,
  TEST_USERS,
  type Organization,
  type Person,
  type Role,
  type TestUserKey,
} from './users';

/** `active` once accepted (or created so); `invited` while the invitation is pending. */
export type MembershipStatus = 'active' | 'invited';

/** What a user is in one organization: the access token's `roles` and `permissions` there. */
export interface Membership {
  userId: string;
  organizationId: string;
  roles: Role[];
  permissions: string[];
  status: MembershipStatus;
  createdAt: Date;
  acceptedAt?: Date;
  inviterEmail?: string;
}

export interface Invitation {
  /** The secret in the invitation link, `/invitations/<token>`. */
  token: string;
  userId: string;
  organizationId: string;
  inviterEmail?: string;
  createdAt: Date;
  expiresAt: Date;
  resentAt?: Date;
  resentCount: number;
  status: 'pending_invite' | 'accepted';
  /** Set by accepting: the one sign-in the initiate-login redirect may complete without a login. */
  signInPending: boolean;
}

/** Scalekit's session statuses (`ACTIVE`, `LOGGED_OUT`, `REVOKED` in the SDK's session docs). */
export type SessionStatus = 'ACTIVE' | 'LOGGED_OUT' | 'REVOKED';

/** A Scalekit session: one oidc-provider session's `sid` for the app. */
export interface DirectorySession {
  sessionId: string;
  /** oidc-provider's session uid, whose tokens end with the session. */
  uid: string;
  userId: string;
  /** The organization signed in to last, and every one signed in to. */
  organizationId: string;
  authenticatedOrganizations: string[];
  userAgent: string;
  ip: string;
  createdAt: Date;
  lastActiveAt: Date;
  status: SessionStatus;
  endedAt?: Date;
}

/** The failures the management API maps to gRPC codes (see management.ts). */
export class DirectoryError extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid_argument' | 'already_exists' | 'failed_precondition',
    message: string,
  ) {
    super(message);
  }
}

/** "The invitation link expires after 15 days" (docs: fsa/guides/user-invitations, the email). */
const INVITATION_TTL_MS = 15 * 24 * 60 * 60 * 1000;

/**
 * The environment's users, organizations, memberships, invitations and sessions: one model that
 * the hosted login (who may sign in where, with which roles) and the management API (what an
 * admin changes) both read, so a change through one is what the other sees.
 */
export class Directory {
  readonly #organizations = new Map<string, Organization>();
  readonly #users = new Map<string, Person>();
  /** Keyed by `<userId> <organizationId>`, in the order they were made (the first is the default). */
  readonly #memberships = new Map<string, Membership>();
  readonly #invitations = new Map<string, Invitation>();
  readonly #sessions = new Map<string, DirectorySession>();
  /** The login page's value for each seeded user (`admin`, `multi`, …); others use their id. */
  readonly #loginKeys = new Map<string, string>();

  /** The directory the stand-in starts with: ORGANIZATIONS and TEST_USERS. */
  static seeded(): Directory {
    const directory = new Directory();
    for (const organization of ORGANIZATIONS) {
      directory.#organizations.set(organization.id, { ...organization });
    }
    for (const [key, { memberships, ...person }] of Object.entries(TEST_USERS)) {
      directory.#users.set(person.id, person);
      directory.#loginKeys.set(person.id, key);
      for (const { organizationId, role } of memberships) {
        directory.#setMembership({
          userId: person.id,
          organizationId,
          ...rolesAndPermissions([role]),
          status: 'active',
          createdAt: new Date(),
          acceptedAt: new Date(),
        });
      }
    }
    return directory;
  }

  organization(id: string): Organization | undefined {
    return this.#organizations.get(id);
  }

  user(id: string | undefined): Person | undefined {
    return id === undefined ? undefined : this.#users.get(id);
  }

  /** Every user with the value the login page's button sends for them, seeded users first. */
  loginChoices(): Array<{ value: string; user: Person }> {
    return [...this.#users.values()].map((user) => ({
      value: this.#loginKeys.get(user.id) ?? user.id,
      user,
    }));
  }

  /** The user a login page button names; `denied` (and anything unknown) names nobody. */
  userForLoginChoice(value: string | null): Person | undefined {
    if (value === null || value === ('denied' satisfies TestUserKey)) return undefined;
    return this.loginChoices().find((choice) => choice.value === value)?.user;
  }

  /** The user's memberships, active and invited, in the order they were made. */
  memberships(userId: string): Membership[] {
    return [...this.#memberships.values()].filter((membership) => membership.userId === userId);
  }

  /** The membership that lets the user sign in to the organization: an active one. */
  activeMembership(userId: string, organizationId: string): Membership | undefined {
    const membership = this.#memberships.get(membershipKey(userId, organizationId));
    return membership?.status === 'active' ? membership : undefined;
  }

  /** The organization's members, active and invited. */
  members(organizationId: string): Array<{ user: Person; membership: Membership }> {
    this.#requireOrganization(organizationId);
    return [...this.#memberships.values()]
      .filter((membership) => membership.organizationId === organizationId)
      .map((membership) => ({ user: this.#requireUser(membership.userId), membership }));
  }

  /**
   * Invites `email` to the organization with `roles` (default `member`): creates the user unless
   * the email is known, an invited membership and a pending invitation. Refuses someone who is
   * already a member (Scalekit answers "already exists" for an existing membership).
   */
  invite(
    organizationId: string,
    email: string,
    options: { roles?: string[]; inviterEmail?: string; givenName?: string; familyName?: string },
  ): { user: Person; membership: Membership; invitation: Invitation } {
    this.#requireOrganization(organizationId);
    const address = email.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+$/.test(address)) {
      throw new DirectoryError('invalid_argument', 'email is not a valid address');
    }
    const known = [...this.#users.values()].find((user) => user.email === address);
    if (known && this.#memberships.has(membershipKey(known.id, organizationId))) {
      throw new DirectoryError('already_exists', 'user is already a member of the organization');
    }
    const user = known ?? {
      id: scalekitId('usr'),
      email: address,
      givenName: options.givenName ?? '',
      familyName: options.familyName ?? '',
    };
    this.#users.set(user.id, user);
    const membership = this.#setMembership({
      userId: user.id,
      organizationId,
      ...rolesAndPermissions(options.roles?.length ? options.roles : ['member']),
      status: 'invited',
      createdAt: new Date(),
      inviterEmail: options.inviterEmail,
    });
    const invitation = this.#newInvitation(user.id, organizationId, options.inviterEmail);
    return { user, membership, invitation };
  }

  /**
   * Resends a pending invitation: "a new expiry timestamp is set only if the previous invitation
   * is expired", and a member who already accepted gets 400 (docs: fsa/guides/user-invitations).
   * The stand-in sends no email; the link stays the same unless the invitation had expired.
   */
  resendInvite(organizationId: string, userId: string): Invitation {
    const membership = this.#requireMembership(userId, organizationId);
    if (membership.status !== 'invited') {
      throw new DirectoryError('invalid_argument', 'user is already active in the organization');
    }
    const current = this.#pendingInvitation(userId, organizationId);
    const now = new Date();
    if (!current || current.expiresAt <= now) {
      if (current) this.#invitations.delete(current.token);
      const renewed = this.#newInvitation(userId, organizationId, membership.inviterEmail);
      renewed.resentCount = (current?.resentCount ?? 0) + 1;
      renewed.resentAt = now;
      return renewed;
    }
    current.resentCount += 1;
    current.resentAt = now;
    return current;
  }

  /** Every invitation still pending, as the emails Scalekit would have sent. */
  pendingInvitations(): Invitation[] {
    return [...this.#invitations.keys()].flatMap((token) => this.invitation(token) ?? []);
  }

  /** A pending, unexpired invitation by the token in its link. */
  invitation(token: string): Invitation | undefined {
    const invitation = this.#invitations.get(token);
    if (!invitation || invitation.status !== 'pending_invite') return undefined;
    if (invitation.expiresAt <= new Date()) return undefined;
    if (!this.#memberships.has(membershipKey(invitation.userId, invitation.organizationId))) {
      return undefined;
    }
    return invitation;
  }

  /** Accepting the invitation activates the membership. */
  acceptInvitation(token: string): Invitation {
    const invitation = this.invitation(token);
    if (!invitation) throw new DirectoryError('not_found', 'invitation not found or expired');
    const membership = this.#requireMembership(invitation.userId, invitation.organizationId);
    membership.status = 'active';
    membership.acceptedAt = new Date();
    invitation.status = 'accepted';
    invitation.signInPending = true;
    return invitation;
  }

  /**
   * The sign-in an accepted invitation's initiate-login redirect completes without a login page,
   * once: a second use (a replayed link) finds nothing and goes through the login page.
   */
  takeInvitationSignIn(token: string): { user: Person; organizationId: string } | undefined {
    const invitation = this.#invitations.get(token);
    if (!invitation?.signInPending) return undefined;
    invitation.signInPending = false;
    const membership = this.activeMembership(invitation.userId, invitation.organizationId);
    const user = this.user(invitation.userId);
    return membership && user ? { user, organizationId: invitation.organizationId } : undefined;
  }

  /** Replaces the member's roles (and so their permissions) in the organization. */
  updateMembership(organizationId: string, userId: string, roles: string[]): Membership {
    const membership = this.#requireMembership(userId, organizationId);
    if (roles.length === 0) throw new DirectoryError('invalid_argument', 'roles must not be empty');
    Object.assign(membership, rolesAndPermissions(roles));
    return membership;
  }

  /** Removes the member (and any invitation) from the organization. */
  deleteMembership(organizationId: string, userId: string): Membership {
    const membership = this.#requireMembership(userId, organizationId);
    this.#memberships.delete(membershipKey(userId, organizationId));
    for (const [token, invitation] of this.#invitations) {
      if (invitation.userId === userId && invitation.organizationId === organizationId) {
        this.#invitations.delete(token);
      }
    }
    return membership;
  }

  /**
   * Records a sign-in of the session `sessionId` into an organization (a new session, or one more
   * organization of an existing one), from the browser request that completed it.
   */
  recordSignIn(sign: {
    sessionId: string;
    uid: string;
    userId: string;
    organizationId: string;
    userAgent: string;
    ip: string;
  }): DirectorySession {
    const now = new Date();
    const existing = this.#sessions.get(sign.sessionId);
    if (existing && existing.status === 'ACTIVE' && existing.userId === sign.userId) {
      existing.organizationId = sign.organizationId;
      if (!existing.authenticatedOrganizations.includes(sign.organizationId)) {
        existing.authenticatedOrganizations.push(sign.organizationId);
      }
      Object.assign(existing, { userAgent: sign.userAgent, ip: sign.ip, lastActiveAt: now });
      return existing;
    }
    const session: DirectorySession = {
      ...sign,
      authenticatedOrganizations: [sign.organizationId],
      createdAt: now,
      lastActiveAt: now,
      status: 'ACTIVE',
    };
    this.#sessions.set(sign.sessionId, session);
    return session;
  }

  /** A token was issued for the session (a code exchange or a refresh). */
  touchSession(sessionId: string | undefined): void {
    const session = sessionId === undefined ? undefined : this.#sessions.get(sessionId);
    if (session?.status === 'ACTIVE') session.lastActiveAt = new Date();
  }

  session(sessionId: string): DirectorySession | undefined {
    return this.#sessions.get(sessionId);
  }

  /** The user's sessions, newest first. */
  sessionsOf(userId: string): DirectorySession[] {
    this.#requireUser(userId);
    return [...this.#sessions.values()]
      .filter((session) => session.userId === userId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  /** Marks an active session ended; an ended one stays as it was. */
  endSession(sessionId: string, status: Exclude<SessionStatus, 'ACTIVE'>): DirectorySession {
    const session = this.#sessions.get(sessionId);
    if (!session) throw new DirectoryError('not_found', 'session not found');
    if (session.status === 'ACTIVE') {
      session.status = status;
      session.endedAt = new Date();
    }
    return session;
  }

  #newInvitation(userId: string, organizationId: string, inviterEmail?: string): Invitation {
    const createdAt = new Date();
    const invitation: Invitation = {
      token: randomBytes(24).toString('base64url'),
      userId,
      organizationId,
      inviterEmail,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + INVITATION_TTL_MS),
      resentCount: 0,
      status: 'pending_invite',
      signInPending: false,
    };
    this.#invitations.set(invitation.token, invitation);
    return invitation;
  }

  #pendingInvitation(userId: string, organizationId: string): Invitation | undefined {
    return [...this.#invitations.values()].find(
      (invitation) =>
        invitation.userId === userId &&
        invitation.organizationId === organizationId &&
        invitation.status === 'pending_invite',
    );
  }

  #setMembership(membership: Membership): Membership {
    this.#memberships.set(membershipKey(membership.userId, membership.organizationId), membership);
    return membership;
  }

  #requireOrganization(id: string): Organization {
    const organization = this.#organizations.get(id);
    if (!organization) throw new DirectoryError('not_found', 'organization not found');
    return organization;
  }

  #requireUser(id: string): Person {
    const user = this.#users.get(id);
    if (!user) throw new DirectoryError('not_found', 'user not found');
    return user;
  }

  #requireMembership(userId: string, organizationId: string): Membership {
    this.#requireOrganization(organizationId);
    this.#requireUser(userId);
    const membership = this.#memberships.get(membershipKey(userId, organizationId));
    if (!membership) throw new DirectoryError('not_found', 'membership not found');
    return membership;
  }
}

function membershipKey(userId: string, organizationId: string): string {
  return `${userId} ${organizationId}`;
}

/** The roles as given (each must exist) and the union of what they grant. */
function rolesAndPermissions(roles: string[]): { roles: Role[]; permissions: string[] } {
  const unknown = roles.filter((role) => !isRole(role));
  if (unknown.length > 0) {
    throw new DirectoryError('invalid_argument', `unknown role: ${unknown.join(', ')}`);
  }
  const known = [...new Set(roles)] as Role[];
  return {
    roles: known,
    permissions: [...new Set(known.flatMap((role) => ROLE_PERMISSIONS[role]))],
  };
}
