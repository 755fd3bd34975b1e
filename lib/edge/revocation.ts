import type { AccessTokenClaims } from './access-token';
import type { EdgeConfig } from './config';
import { createRecentReads, type RecentReads } from './recent-reads';
import { StoreError } from './store-error';
import { createUpstashReader, type RevocationReader } from './upstash-reader';

/** Where the revocation list keeps a signed-out session and a signed-out user. */
export const revocationKeys = {
  session: (sid: string) => `revoked:sid:${sid}`,
  subject: (sub: string) => `revoked:sub:${sub}`,
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
 * Whether the token's session, or its user as of the token's issue time, is revoked. When the
 * store cannot answer, the configured policy decides: `allow` (default: the token itself was
 * fully verified) or `deny`.
 *
 * @example
 * if (await isRevoked(revocationReader(config), claims, config)) return signIn();
 */
export async function isRevoked(
  store: RevocationReader,
  claims: Pick<AccessTokenClaims, 'sid' | 'sub' | 'iat'>,
  config: Pick<EdgeConfig, 'revocationOnStoreError'>,
): Promise<boolean> {
  try {
    const [session, subjectSince] = await store.getMany([
      revocationKeys.session(claims.sid),
      revocationKeys.subject(claims.sub),
    ]);
    return session != null || (subjectSince != null && claims.iat <= Number(subjectSince));
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    return config.revocationOnStoreError === 'deny';
  }
}

/**
 * With `SESSION_REVOCATION=strict`, whether the list refuses this token (one Upstash read);
 * otherwise false without a read. What the middleware and `getSession()` both ask.
 *
 * @example
 * if (await isRevokedUnderStrict(claims, edgeConfig())) return signIn();
 */
export async function isRevokedUnderStrict(
  claims: Pick<AccessTokenClaims, 'sid' | 'sub' | 'iat'>,
  config: Pick<EdgeConfig, 'revocation' | 'revocationOnStoreError' | 'upstash'>,
): Promise<boolean> {
  return config.revocation === 'strict' && isRevoked(revocationReader(config), claims, config);
}
