import type { AccessTokenClaims } from './access-token';

/**
 * Request headers the middleware adds for routes behind it, after verifying the token. Any header
 * with this prefix that arrives from the client is deleted first, on every request, so a route can
 * tell the two apart. They are a convenience (logging, tracing): `getSession()` re-verifies the
 * cookie and never reads them.
 */
export const CLAIM_HEADER_PREFIX = 'x-auth-';

export const CLAIM_HEADERS = {
  sub: 'x-auth-sub',
  sid: 'x-auth-sid',
  oid: 'x-auth-oid',
} as const;

/** Deletes every `x-auth-*` header; returns how many were spoofed. */
export function stripClaimHeaders(headers: Headers): number {
  const spoofed = [...headers.keys()].filter((name) => name.startsWith(CLAIM_HEADER_PREFIX));
  for (const name of spoofed) headers.delete(name);
  return spoofed.length;
}

export function setClaimHeaders(headers: Headers, claims: AccessTokenClaims): void {
  headers.set(CLAIM_HEADERS.sub, claims.sub);
  headers.set(CLAIM_HEADERS.sid, claims.sid);
  if (claims.oid) headers.set(CLAIM_HEADERS.oid, claims.oid);
}
