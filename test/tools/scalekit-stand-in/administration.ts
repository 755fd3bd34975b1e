import { randomBytes } from 'node:crypto';
import type { MemoryStore } from './adapter';
import type { ClientRegistry } from './client-registry';
import type { DirectorySession, Invitation, Membership } from './directory';
import { userLogout } from './provider';
import type { Organization, Person } from './users';
import type { WebhookSender } from './webhooks';

export const INVITATION_PATH = '/invitations';
export const PORTAL_PATH = '/portal';
export const PASSWORD_RESET_PATH = '/password-reset';

/** "Each generated link is single-use and expires after 1 minute" (docs: guides/admin-portal). */
const PORTAL_LINK_TTL_MS = 60 * 1000;

export interface PortalLink {
  id: string;
  location: string;
  organizationId: string;
  expiresAt: Date;
}

/**
 * What an admin changes (through the management API or the test controls) and what follows from
 * it, in one place: the directory changes, the hosted login's tokens end where access ended, and
 * the webhooks Scalekit documents go out.
 */
export class Administration {
  readonly #portalLinks = new Map<string, PortalLink>();

  constructor(
    readonly issuerUrl: string,
    readonly store: MemoryStore,
    readonly clients: ClientRegistry,
    readonly webhooks: WebhookSender,
  ) {}

  get directory() {
    return this.store.directory;
  }

  /**
   * `createUserAndMembership`: the invited membership and its invitation. Scalekit emails the
   * link; the stand-in sends nothing but records it (see `invitationUrl`) and emits
   * `user.organization_invitation`.
   */
  invite(
    organizationId: string,
    email: string,
    options: { roles?: string[]; inviterEmail?: string; givenName?: string; familyName?: string },
  ) {
    const invited = this.directory.invite(organizationId, email, options);
    this.#emitMembership('user.organization_invitation', invited.user, organizationId);
    return { ...invited, url: this.invitationUrl(invited.invitation) };
  }

  resendInvite(organizationId: string, userId: string): Invitation {
    const invitation = this.directory.resendInvite(organizationId, userId);
    const user = this.directory.user(userId);
    if (user) this.#emitMembership('user.organization_invitation', user, organizationId);
    return invitation;
  }

  /** The link the invitation email carries. */
  invitationUrl(invitation: Invitation): string {
    return `${this.issuerUrl}${INVITATION_PATH}/${invitation.token}`;
  }

  /**
   * Accepting activates the membership and sends the browser to the initiate-login URL with the
   * invitation parameter, which the app forwards to the authorize URL (see INVITATION_PARAM).
   */
  acceptInvitation(token: string, invitationParam: string): URL {
    const invitation = this.directory.acceptInvitation(token);
    const user = this.directory.user(invitation.userId);
    if (user) {
      this.#emitMembership('user.organization_membership_created', user, invitation.organizationId);
    }
    const target = this.initiateLoginUrl();
    target.searchParams.set(invitationParam, invitation.token);
    return target;
  }

  /** Where Scalekit starts a sign-in at the app: the client's registered initiate-login URL. */
  initiateLoginUrl(): URL {
    const uri = this.clients.initiateLoginUri;
    if (!uri) throw new Error('no initiate-login URL is registered');
    return new URL(uri);
  }

  /** New roles take effect at the member's next token (refresh or sign-in). */
  updateMembership(organizationId: string, userId: string, roles: string[]): Membership {
    const membership = this.directory.updateMembership(organizationId, userId, roles);
    const user = this.directory.user(userId);
    if (user) this.#emitMembership('user.organization_membership_updated', user, organizationId);
    return membership;
  }

  /** The member can no longer sign in there, and their refresh tokens there stop working. */
  deleteMembership(organizationId: string, userId: string): void {
    this.directory.deleteMembership(organizationId, userId);
    this.store.revokeMembershipGrants(userId, organizationId);
    const user = this.directory.user(userId);
    if (user) this.#emitMembership('user.organization_membership_deleted', user, organizationId);
  }

  /** Ends an active session: its tokens stop refreshing and `user.logout` goes out. */
  revokeSession(sessionId: string): DirectorySession {
    const wasActive = this.directory.session(sessionId)?.status === 'ACTIVE';
    const session = this.directory.endSession(sessionId, 'REVOKED');
    if (wasActive) {
      this.store.revokeBrowserSession(session.uid);
      const user = this.directory.user(session.userId);
      if (user) {
        void this.webhooks.emit(...userLogout(user, session.sessionId, session.organizationId));
      }
    }
    return session;
  }

  /** Ends every active session of the user ("only active sessions are revoked": SDK docs). */
  revokeAllUserSessions(userId: string): DirectorySession[] {
    return this.directory
      .sessionsOf(userId)
      .filter((session) => session.status === 'ACTIVE')
      .map((session) => this.revokeSession(session.sessionId));
  }

  generatePortalLink(organizationId: string): PortalLink {
    const link: PortalLink = {
      id: randomBytes(9).toString('hex'),
      location: `${this.issuerUrl}${PORTAL_PATH}/${randomBytes(24).toString('base64url')}`,
      organizationId,
      expiresAt: new Date(Date.now() + PORTAL_LINK_TTL_MS),
    };
    this.#portalLinks.set(new URL(link.location).pathname, link);
    return link;
  }

  /** Opens a portal link once, within its minute; then (and for any other path) undefined. */
  openPortal(pathname: string): Organization | undefined {
    const link = this.#portalLinks.get(pathname);
    this.#portalLinks.delete(pathname);
    if (!link || link.expiresAt <= new Date()) return undefined;
    return this.directory.organization(link.organizationId);
  }

  /**
   * The OpenAPI's membership events (`user.organization_invitation`, `…_membership_created`,
   * `…_updated`, `…_deleted`): `data` holds the organization and the user. Delivery is not awaited,
   * as Scalekit's is not part of the API call.
   */
  #emitMembership(type: string, user: Person, organizationId: string): void {
    const organization = this.directory.organization(organizationId);
    void this.webhooks.emit(
      type,
      {
        organization: { id: organizationId, display_name: organization?.name ?? '' },
        user: {
          id: user.id,
          email: user.email,
          user_profile: { given_name: user.givenName, family_name: user.familyName },
        },
      },
      organizationId,
    );
  }
}
