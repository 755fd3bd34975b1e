import type { AccessTokenClaims } from './access-token';
import type { EdgeConfig } from './config';
import { createRecentReads, type RecentReads } from './recent-reads';
import { StoreError } from './store-error';
import { createUpstashReader, type RevocationReader } from './upstash-reader';

/**
 * Where the revocation list keeps a signed-out session, and since when a user, a user in one
 * organization (a removed membership) and a whole organization (deleted) are signed out.
 */
export const revocationKeys = {
  session: (sid: string) => `revoked:sid:${sid}`,
  subject: (sub: string) => `revoked:sub:${sub}`,
  membership: (oid: string, sub: string) => `revoked:member:${oid}:${sub}`,
  organization: (oid: string) => `revoked:oid:${oid}`,
} as const;

let reader: RecentReads | undefined;

/**
 * What strict revocation reads the list with: Upstash over one `fetch`, each answer reused for at
 * most 1 s per session and user (`createRecentReads`). Strict revocation needs Upstash (the
 * configuration refuses it otherwise): the Edge and Node never share memory, so an in-memory list
 * written by `/logout` would be invisible to the middleware.
 */
export function revocationReader(config: Pick<EdgeConfig, 'upstash'>): RevocationReader {
  if (!config.upstash) throw new StoreError('strict revocation needs Upstash Redis');
  reader ??= createRecentReads(createUpstashReader(config.upstash));
  return reader;
}

/**
 * Forgets this isolate's recent answers: called after this instance writes a revocation, so its
 * own requests see it at once rather than within the 1 s bound.
 */
export function forgetRecentRevocationReads(): void {
  reader?.clear();
}

/**
 * Whether the token's session is revoked, or its user, its membership in its organization or its
 * organization was signed out after the token was issued (`iat`). When the store cannot answer,
 * the configured policy decides: `allow` (default: the token itself was fully verified) or `deny`.
 *
 * @example
 * if (await isRevoked(revocationReader(config), claims, config)) return signIn();
 */
export async function isRevoked(
  store: RevocationReader,
  claims: RevocationClaims,
  config: Pick<EdgeConfig, 'revocationOnStoreError'>,
): Promise<boolean> {
  try {
    return await readRevocation(store, claims);
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    return config.revocationOnStoreError === 'deny';
  }
}

/**
 * Like {@link isRevoked}, with no policy: rejects with {@link StoreError} when the store cannot
 * answer. For callers that must not decide on an unread list (`/api/refresh` never renews a
 * session it could not check).
 *
 * @example
 * const revoked = await readRevocation(getStore(), claims); // throws StoreError in an outage
 */
export async function readRevocation(
  store: RevocationReader,
  claims: RevocationClaims,
): Promise<boolean> {
  const { sid, sub, oid, iat } = claims;
  const [session, ...since] = await store.getMany([
    revocationKeys.session(sid),
    revocationKeys.subject(sub),
    ...(oid === undefined
      ? []
      : [revocationKeys.membership(oid, sub), revocationKeys.organization(oid)]),
  ]);
  return session != null || since.some((time) => time != null && iat <= Number(time));
}

type RevocationClaims = Pick<AccessTokenClaims, 'sid' | 'sub' | 'iat'> &
  Partial<Pick<AccessTokenClaims, 'oid'>>;

/**
 * With `SESSION_REVOCATION=strict`, whether the list refuses this token (one Upstash read);
 * otherwise false without a read. What the middleware and `getSession()` both ask.
 *
 * @example
 * if (await isRevokedUnderStrict(claims, edgeConfig())) return signIn();
 */
export async function isRevokedUnderStrict(
  claims: RevocationClaims,
  config: Pick<EdgeConfig, 'revocation' | 'revocationOnStoreError' | 'upstash'>,
): Promise<boolean> {
  return config.revocation === 'strict' && isRevoked(revocationReader(config), claims, config);
}
