/**
 * The people the login page offers from the start (the directory is seeded with them, see
 * directory.ts). `denied` has no account: choosing it refuses the login. `multi` belongs to two
 * organizations, with a different role in each.
 */
export type TestUserKey = 'admin' | 'member' | 'other' | 'multi' | 'denied';

export interface Organization {
  id: string;
  name: string;
}

/** A person as the directory knows them: what the ID token says about them. */
export interface Person {
  id: string;
  email: string;
  givenName: string;
  familyName: string;
}

export interface SeedUser extends Person {
  /** The first is the default organization, used when the sign-in does not name one. */
  memberships: [SeedMembership, ...SeedMembership[]];
}

export interface SeedMembership {
  organizationId: string;
  role: Role;
}

// Scalekit's documented shape (`org_1234567890`): `org_` and letters or digits only, which is also
// what the app's /login accepts for `organization_id`.
export const ACME_ORG_ID = 'org_acme0001';
export const GLOBEX_ORG_ID = 'org_globex0001';

export const ORGANIZATIONS: readonly Organization[] = [
  { id: ACME_ORG_ID, name: 'Acme' },
  { id: GLOBEX_ORG_ID, name: 'Globex' },
];

/**
 * The environment's roles and what each grants: the access token's `roles` and `permissions`.
 * Scalekit environments start with `admin` and `member`; their permissions here are the app's.
 */
export const ROLE_PERMISSIONS = {
  admin: ['organization:read', 'organization:write', 'members:invite'],
  member: ['organization:read'],
} as const satisfies Record<string, readonly string[]>;

export type Role = keyof typeof ROLE_PERMISSIONS;

export function isRole(value: string): value is Role {
  return Object.hasOwn(ROLE_PERMISSIONS, value);
}

export const TEST_USERS: Readonly<Record<Exclude<TestUserKey, 'denied'>, SeedUser>> = {
  admin: {
    id: 'usr_acme_admin',
    email: 'admin@acme.test',
    givenName: 'Ada',
    familyName: 'Admin',
    memberships: [{ organizationId: ACME_ORG_ID, role: 'admin' }],
  },
  member: {
    id: 'usr_acme_member',
    email: 'member@acme.test',
    givenName: 'Max',
    familyName: 'Member',
    memberships: [{ organizationId: ACME_ORG_ID, role: 'member' }],
  },
  other: {
    id: 'usr_globex_admin',
    email: 'other@globex.test',
    givenName: 'Olga',
    familyName: 'Other',
    memberships: [{ organizationId: GLOBEX_ORG_ID, role: 'admin' }],
  },
  multi: {
    id: 'usr_multi_org',
    email: 'morgan@acme.test',
    givenName: 'Morgan',
    familyName: 'Multi',
    memberships: [
      { organizationId: ACME_ORG_ID, role: 'admin' },
      { organizationId: GLOBEX_ORG_ID, role: 'member' },
    ],
  },
};

/** The ID-token claims Scalekit returns for a user signed in to one organization. */
export function idTokenClaims(user: Person, organizationId: string): Record<string, unknown> {
  return {
    sub: user.id,
    email: user.email,
    email_verified: true,
    name: `${user.givenName} ${user.familyName}`.trim(),
    given_name: user.givenName,
    family_name: user.familyName,
    oid: organizationId,
  };
}
