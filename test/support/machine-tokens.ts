import type { JWTPayload } from 'jose';
import { inject } from 'vitest';
import { M2M_AUDIENCE } from '../tools/scalekit-stand-in/m2m-clients';

/**
 * Claims shaped like the access token Scalekit issues to an M2M client (client credentials),
 * as its developer docs show one, "Example Decoded Access Token JWT Payload"
 * (scalekit-inc/developer-docs, src/content/docs/guides/m2m/scopes.mdx; docs.scalekit.com/m2m/scopes):
 * `client_id` and `sub` the client's `m2morg_…` id, `oid` its organization, `scopes` an array,
 * `jti` `tkn_…`, `iss`, `iat`, `nbf`, `exp`; no `sid`, no user. The docs' example shows no `aud`;
 * an M2M client registered with an `audience` (m2m/quickstart.mdx) carries it, and this app
 * requires it (SCALEKIT_API_AUDIENCE). Valid for an hour here (Scalekit's default `expiry`: 3600).
 */
export function machineTokenClaims(overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: inject('issuerUrl'),
    sub: 'm2morg_69038819013296423',
    client_id: 'm2morg_69038819013296423',
    aud: [M2M_AUDIENCE],
    oid: 'org_59615193906282635',
    scopes: ['deploy:applications', 'read:deployments'],
    exp: now + 3600,
    iat: now,
    nbf: now,
    jti: `tkn_${crypto.randomUUID()}`,
    ...overrides,
  };
}
