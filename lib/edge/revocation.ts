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
 * Forgets this isolate's recent answers: called after a route writes a revocation, so the strict
 * checks of the same runtime (`getSession()` on that instance) see it at once rather than within
 * the 1 s bound. The middleware runs in an isolate of its own (on Vercel, a function of its own),
 * whose answers this cannot reach: it honours the revocation within the bound.
 */
export function forgetRecentRevocationReads(): void {
  reader?.clear();
}

/**
 * Why the list refuses the token, or null: `revoked` when its session is revoked, or its user, its
 * membership in its organization or its organization was signed out after the token was issued
 * (`iat`); `unreadable` when the store cannot answer and the configured policy is `deny`. With the
 * default policy `allow`, an unreadable list refuses nothing (the token itself was fully verified).
 *
 * @example
 * const refusal = await revocationRefusal(revocationReader(config), claims, config);
 * if (refusal === 'unreadable') log('the revocation list could not be read');
 */
export async function revocationRefusal(
  store: RevocationReader,
  claims: RevocationClaims,
  config: Pick<EdgeConfig, 'revocationOnStoreError'>,
): Promise<'revoked' | 'unreadable' | null> {
  try {
    return (await readRevocation(store, claims)) ? 'revoked' : null;
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    return config.revocationOnStoreError === 'deny' ? 'unreadable' : null;
  }
}

/**
 * Whether the list refuses the token ({@link revocationRefusal}): revoked, or unreadable under the
 * `deny` policy.
 *
 * @example
 * if (await isRevoked(revocationReader(config), claims, config)) return signIn();
 */
export async function isRevoked(
  store: RevocationReader,
  claims: RevocationClaims,
  config: Pick<EdgeConfig, 'revocationOnStoreError'>,
): Promise<boolean> {
  return (await revocationRefusal(store, claims, config)) !== null;
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

type StrictConfig = Pick<EdgeConfig, 'revocation' | 'revocationOnStoreError' | 'upstash'>;

/**
 * With `SESSION_REVOCATION=strict`, whether the list refuses this token (one Upstash read);
 * otherwise false without a read. What `getSession()` asks.
 *
 * @example
 * if (await isRevokedUnderStrict(claims, edgeConfig())) return signIn();
 */
export async function isRevokedUnderStrict(
  claims: RevocationClaims,
  config: StrictConfig,
): Promise<boolean> {
  return config.revocation === 'strict' && isRevoked(revocationReader(config), claims, config);
}

/**
 * Like {@link isRevokedUnderStrict}, saying why ({@link revocationRefusal}): what the middleware
 * asks, so that a Redis outage under the `deny` policy is not logged as a sign-out.
 *
 * @example
 * const refusal = await strictRefusal(claims, edgeConfig()); // 'revoked', 'unreadable' or null
 */
export async function strictRefusal(
  claims: RevocationClaims,
  config: StrictConfig,
): Promise<'revoked' | 'unreadable' | null> {
  if (config.revocation !== 'strict') return null;
  return revocationRefusal(revocationReader(config), claims, config);
}
