import 'server-only';

/**
 * A membership's status as the page shows it, from the SDK's `MembershipStatus`
 * (scalekit/v1/commons: ACTIVE = 1, INACTIVE = 2, PENDING_INVITE = 3, INVITE_EXPIRED = 4).
 */
export type MemberStatus = 'active' | 'invited' | 'invitation_expired' | 'inactive';

const STATUSES: Readonly<Record<number, MemberStatus>> = {
  1: 'active',
  2: 'inactive',
  3: 'invited',
  4: 'invitation_expired',
};

/** The fields of the SDK's `OrganizationMembership` read here. */
export interface MembershipMessage {
  organizationId: string;
  membershipStatus: number;
  roles: ReadonlyArray<{ name: string }>;
  name?: string;
  displayName?: string;
}

export function memberStatus(membership: MembershipMessage): MemberStatus {
  return STATUSES[membership.membershipStatus] ?? 'inactive';
}

/** Role names, without empty ones. */
export function roleNames(membership: MembershipMessage): string[] {
  return membership.roles.map((role) => role.name).filter(Boolean);
}

/** The organization's name as Scalekit gives it (display name first), else its id. */
export function organizationName(membership: MembershipMessage): string {
  return membership.displayName || membership.name || membership.organizationId;
}
