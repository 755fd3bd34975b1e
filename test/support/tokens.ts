import { inject } from 'vitest';
import type { JWTPayload } from 'jose';

/** Claims shaped like a Scalekit user access token for the test client, valid for five minutes. */
export function accessTokenClaims(overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  const clientId = inject('clientId');
  return {
    iss: inject('issuerUrl'),
    sub: 'usr_test_1',
    aud: [clientId],
    exp: now + 300,
    iat: now,
    nbf: now,
    jti: `tkn_${crypto.randomUUID()}`,
    sid: 'ses_test_1',
    oid: 'org_test_1',
    client_id: clientId,
    roles: ['member'],
    permissions: ['organization:read'],
    scope: 'openid profile email offline_access',
    ...overrides,
  };
}

/**
 * Claims shaped like a Scalekit ID token for the test client (see scalekit-facts.md), issued
 * with the nonce `n-0S6_WzA2Mj`, valid for thirty minutes.
 */
export function idTokenClaims(overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  const clientId = inject('clientId');
  return {
    iss: inject('issuerUrl'),
    sub: 'usr_test_1',
    aud: [clientId],
    azp: clientId,
    exp: now + 1800,
    iat: now,
    nonce: ID_TOKEN_NONCE,
    sid: 'ses_test_1',
    oid: 'org_test_1',
    at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q',
    email: 'ada@acme.test',
    email_verified: true,
    name: 'Ada Admin',
    given_name: 'Ada',
    family_name: 'Admin',
    ...overrides,
  };
}

/** The nonce {@link idTokenClaims} carries. */
export const ID_TOKEN_NONCE = 'n-0S6_WzA2Mj';

/**
 * Claims of an OpenID Connect back-channel logout token for the test client's session
 * `ses_test_1` of `usr_test_1`, issued now (sign it with `typ: logout+jwt`).
 */
export function logoutTokenClaims(overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: inject('issuerUrl'),
    aud: inject('clientId'),
    iat: now,
    exp: now + 120,
    jti: `ltk_${crypto.randomUUID()}`,
    sid: 'ses_test_1',
    sub: 'usr_test_1',
    events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    ...overrides,
  };
}

/** Removes the named claims from a payload. */
export function without(payload: JWTPayload, ...claims: string[]): JWTPayload {
  const copy = { ...payload };
  for (const claim of claims) delete copy[claim];
  return copy;
}
