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

/** Removes the named claims from a payload. */
export function without(payload: JWTPayload, ...claims: string[]): JWTPayload {
  const copy = { ...payload };
  for (const claim of claims) delete copy[claim];
  return copy;
}
