/** The people the login page offers. `denied` has no account: choosing it refuses the login. */
export type TestUserKey = 'admin' | 'member' | 'other' | 'denied';

export interface TestUser {
  id: string;
  email: string;
  givenName: string;
  familyName: string;
  organizationId: string;
  roles: string[];
  permissions: string[];
}

export const ACME_ORG_ID = 'org_acme_0001';
export const GLOBEX_ORG_ID = 'org_globex_0001';

export const TEST_USERS: Readonly<Record<Exclude<TestUserKey, 'denied'>, TestUser>> = {
  admin: {
    id: 'usr_acme_admin',
    email: 'admin@acme.test',
    givenName: 'Ada',
    familyName: 'Admin',
    organizationId: ACME_ORG_ID,
    roles: ['admin'],
    permissions: ['organization:read', 'organization:write', 'members:invite'],
  },
  member: {
    id: 'usr_acme_member',
    email: 'member@acme.test',
    givenName: 'Max',
    familyName: 'Member',
    organizationId: ACME_ORG_ID,
    roles: ['member'],
    permissions: ['organization:read'],
  },
  other: {
    id: 'usr_globex_admin',
    email: 'other@globex.test',
    givenName: 'Olga',
    familyName: 'Other',
    organizationId: GLOBEX_ORG_ID,
    roles: ['admin'],
    permissions: ['organization:read', 'organization:write', 'members:invite'],
  },
};

export function findUserById(id: string | undefined): TestUser | undefined {
  return Object.values(TEST_USERS).find((user) => user.id === id);
}

/** The ID-token claims Scalekit returns for a user (filtered by scope by oidc-provider). */
export function idTokenClaims(user: TestUser): Record<string, unknown> {
  return {
    sub: user.id,
    email: user.email,
    email_verified: true,
    name: `${user.givenName} ${user.familyName}`,
    given_name: user.givenName,
    family_name: user.familyName,
    oid: user.organizationId,
  };
}
