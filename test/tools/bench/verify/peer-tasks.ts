import type { PeerModules } from '../support/peer-modules';
import type { PeerSessions } from '../support/peer-sessions';
import { poolReader, type MeasureOptions, type Task } from './measure';

/** The peers' rows: each library's per-request session check, on a new cookie and on a repeat. */
export const PEER_TASKS = [
  'authkit.first',
  'authkit.repeat',
  'auth0.first',
  'auth0.repeat',
  'auth0.request',
] as const;
export type PeerTask = (typeof PEER_TASKS)[number];

/**
 * What each peer's middleware does to a session cookie on every request, with the library's
 * own code and dependencies (support/peer-modules.ts):
 *
 * - authkit-nextjs (`updateSession`, src/session.ts): `unsealData` of the cookie with
 *   WORKOS_COOKIE_PASSWORD, `jwtVerify(accessToken, JWKS)` with one lazily made
 *   `createRemoteJWKSet` (signature and `exp` only), then `decodeJwt` twice (the expiry buffer and
 *   the claims it returns). It remembers nothing, so a repeated cookie costs the same.
 * - nextjs-auth0 (`StatelessSessionStore.get` → `decrypt`, dist/server/cookies.js): HKDF-SHA-256
 *   of AUTH0_SECRET (derived again on every call) and jose `jwtDecrypt` with a 15 s clock
 *   tolerance; no token is verified. `auth0.request` is its whole per-request work in the
 *   protected-route pattern the HTTP section runs: decrypt, re-encrypt for the rolling session,
 *   and `getSession` decrypting the new cookie.
 *
 * Each `first` row takes a cookie never seen before (distinct seals of the same session).
 */
export async function peerTasks(
  peers: PeerModules,
  minted: PeerSessions,
  runs: Record<PeerTask, MeasureOptions>,
): Promise<Task[]> {
  const { iron, authkitJose, auth0Hkdf, auth0Jose } = peers;
  const jwks = authkitJose.createRemoteJWKSet(new URL(minted.authkitJwksUrl));
  const authkitCheck = async (cookie: string) => {
    const session = await iron.unsealData<{ accessToken?: string }>(cookie, {
      password: minted.authkitPassword,
    });
    if (!session.accessToken) throw new Error('authkit: the cookie does not open');
    await authkitJose.jwtVerify(session.accessToken, jwks);
    authkitJose.decodeJwt(session.accessToken);
    authkitJose.decodeJwt(session.accessToken);
  };

  const auth0Key = () => auth0Hkdf('sha256', minted.auth0Secret, '', 'JWE CEK', 32);
  const auth0Decrypt = async (cookie: string) => {
    const { payload } = await auth0Jose.jwtDecrypt(cookie, await auth0Key(), {
      clockTolerance: 15,
    });
    if (!payload.user) throw new Error('auth0: the cookie does not open');
    return payload;
  };
  const auth0Request = async (cookie: string) => {
    // StatelessSessionStore.set: the session as read, with a new expiry (maxAge of the roll).
    const rolled = await new auth0Jose.EncryptJWT(await auth0Decrypt(cookie))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setExpirationTime(Math.floor(Date.now() / 1000) + 86_400)
      .encrypt(await auth0Key());
    await auth0Decrypt(rolled);
  };

  const { authkit, auth0 } = minted.sessions;
  const pool = async (session: typeof authkit, task: PeerTask) =>
    poolReader(await session.pool(runs[task].iterations + runs[task].warmupIterations + 8));
  const nextAuthkit = await pool(authkit, 'authkit.first');
  const nextAuth0 = await pool(auth0, 'auth0.first');
  await authkitCheck(authkit.value);
  await auth0Request(auth0.value);

  const ops: Record<PeerTask, [string, () => Promise<unknown>]> = {
    'authkit.first': [
      'authkit-nextjs: unseal + jwtVerify (remote JWKS), a new cookie each time',
      () => authkitCheck(nextAuthkit()),
    ],
    'authkit.repeat': [
      'authkit-nextjs: the same, the same cookie',
      () => authkitCheck(authkit.value),
    ],
    'auth0.first': [
      'nextjs-auth0: HKDF + jwtDecrypt, a new cookie each time',
      () => auth0Decrypt(nextAuth0()),
    ],
    'auth0.repeat': ['nextjs-auth0: the same, the same cookie', () => auth0Decrypt(auth0.value)],
    'auth0.request': [
      'nextjs-auth0 middleware: decrypt + roll (encrypt) + getSession (decrypt)',
      () => auth0Request(auth0.value),
    ],
  };
  return PEER_TASKS.map((task) => ({
    id: task,
    label: ops[task][0],
    op: ops[task][1],
    runs: runs[task],
  }));
}
