/**
 * The people the login page offers. `denied` has no account: choosing it refuses the login.
 * `multi` belongs to two organizations, with a different role in each.
 */
export type TestUserKey = 'admin' | 'member' | 'other' | 'multi' | 'denied';

export interface Organization {
  id: string;
  name: string;
}

/** What a user is in one organization: the access token's `roles` and `permissions` there. */
export interface Membership {
  organizationId: string;
  roles: string[];
  permissions: string[];
}

export interface TestUser {
  id: string;
  email: string;
  givenName: string;
  familyName: string;
  /** The first is the default organization, used when the sign-in does not name one. */
  memberships: [Membership, ...Membership[]];
}

// Scalekit's documented shape (`org_1234567890`): `org_` and letters or digits only, which is also
// what the app's /login accepts for `organization_id`.
export const ACME_ORG_ID = 'org_acme0001';
export const GLOBEX_ORG_ID = 'org_globex0001';

const ORGANIZATIONS: Readonly<Record<string, Organization>> = {
  [ACME_ORG_ID]: { id: ACME_ORG_ID, name: 'Acme' },
  [GLOBEX_ORG_ID]: { id: GLOBEX_ORG_ID, name: 'Globex' },
};

const ADMIN_PERMISSIONS = ['organization:read', 'organization:write', 'members:invite'];
const MEMBER_PERMISSIONS = ['organization:read'];

const admin = (organizationId: string): Membership => ({
  organizationId,
  roles: ['admin'],
  permissions: ADMIN_PERMISSIONS,
});
const member = (organizationId: string): Membership => ({
  organizationId,
  roles: ['member'],
  permissions: MEMBER_PERMISSIONS,
});

export const TEST_USERS: Readonly<Record<Exclude<TestUserKey, 'denied'>, TestUser>> = {
  admin: {
    id: 'usr_acme_admin',
    email: 'admin@acme.test',
    givenName: 'Ada',
    familyName: 'Admin',
    memberships: [admin(ACME_ORG_ID)],
  },
  member: {
    id: 'usr_acme_member',
    email: 'member@acme.test',
    givenName: 'Max',
    familyName: 'Member',
    memberships: [member(ACME_ORG_ID)],
  },
  other: {
    id: 'usr_globex_admin',
    email: 'other@globex.test',
    givenName: 'Olga',
    familyName: 'Other',
    memberships: [admin(GLOBEX_ORG_ID)],
  },
  multi: {
    id: 'usr_multi_org',
    email: 'morgan@acme.test',
    givenName: 'Morgan',
    familyName: 'Multi',
    memberships: [admin(ACME_ORG_ID), member(GLOBEX_ORG_ID)],
  },
};

export function findOrganization(id: string): Organization | undefined {
  return Object.hasOwn(ORGANIZATIONS, id) ? ORGANIZATIONS[id] : undefined;
}

export function findUserById(id: string | undefined): TestUser | undefined {
  return Object.values(TEST_USERS).find((user) => user.id === id);
}

/** The user's membership in an organization, or undefined when they do not belong to it. */
export function membershipIn(user: TestUser, organizationId: string): Membership | undefined {
  return user.memberships.find((membership) => membership.organizationId === organizationId);
}

/** The ID-token claims Scalekit returns for a user signed in to one organization. */
export function idTokenClaims(user: TestUser, organizationId: string): Record<string, unknown> {
  return {
    sub: user.id,
    email: user.email,
    email_verified: true,
    name: `${user.givenName} ${user.familyName}`,
    given_name: user.givenName,
    family_name: user.familyName,
    oid: organizationId,
  };
}
