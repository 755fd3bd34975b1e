import { randomBytes } from 'node:crypto';
import { edgeConfig } from '../../../../lib/edge/config';
import { seal } from '../../../../lib/edge/seal';
import { cookieName } from '../../../../lib/edge/session-cookies';
import { sealPool, type VerifyInputs } from '../verify/inputs';
import type { PeerModules } from './peer-modules';
import type { WorkosStandIn } from './workos-stand-in';

/** Which library's session a request carries. */
export type SessionKind = 'ours' | 'authkit' | 'auth0';

/** One library's session as a browser would send it, and one it must refuse. */
export interface PeerSession {
  cookieName: string;
  /** The cookie's value, minted the way the library mints it. */
  value: string;
  /** `Cookie` header with {@link value}. */
  header: string;
  /** `Cookie` header the library must not accept (see {@link PeerSessions.forgedAs}). */
  forged: string;
  /** Distinct cookies of the same session: the first-sight pool of the in-process rows. */
  pool(count: number): Promise<string[]>;
}

export interface PeerSessions {
  sessions: Record<SessionKind, PeerSession>;
  /** What each forged cookie is, for the report. */
  forgedAs: Record<SessionKind, string>;
  /** The settings the variants read (WorkOS, Auth0), shared by every instance. */
  env: Record<string, string>;
  /** WORKOS_COOKIE_PASSWORD and AUTH0_SECRET. */
  authkitPassword: string;
  auth0Secret: string;
  /** What authkit-nextjs's JWKS URL resolves to: `<base>/sso/jwks/<clientId>`. */
  authkitJwksUrl: string;
}

const HOUR = 3600;

/**
 * Mints one valid session of each kind, each the way its library does, against local stand-ins:
 * ours is the stand-in's signed token sealed with lib/edge/seal.ts (what /api/callback stores);
 * authkit's is iron-session `sealData({ accessToken, refreshToken, user, impersonator })` with an
 * access token signed by the WorkOS stand-in's key; auth0's is `generateSessionCookie` from
 * `@auth0/nextjs-auth0/testing`. The claims are shaped like each provider's and of similar size.
 */
export async function mintPeerSessions(
  peers: PeerModules,
  workos: WorkosStandIn,
  ours: VerifyInputs,
): Promise<PeerSessions> {
  const now = Math.floor(Date.now() / 1000);
  const authkitPassword = randomBytes(32).toString('base64url');
  const auth0Secret = randomBytes(32).toString('hex');
  const oursName = cookieName('access', edgeConfig());

  const userId = 'user_01JBENCH00000000000000000';
  const workosClaims = {
    iss: `https://api.workos.com/user_management/${workos.clientId}`,
    sub: userId,
    sid: 'session_01JBENCH00000000000000000',
    org_id: 'org_01JBENCH00000000000000000',
    role: 'admin',
    roles: ['admin'],
    permissions: ['organization:read', 'organization:write'],
    jti: '01JBENCHTOKEN0000000000000',
    iat: now,
    exp: now + HOUR,
  };
  const authkitSession = (accessToken: string) => ({
    accessToken,
    refreshToken: randomBytes(18).toString('base64url'),
    user: {
      object: 'user',
      id: userId,
      email: 'admin@acme.test',
      emailVerified: true,
      firstName: 'Ada',
      lastName: 'Admin',
      profilePictureUrl: null,
      lastSignInAt: new Date(now * 1000).toISOString(),
      externalId: null,
      metadata: {},
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    },
    impersonator: undefined,
  });
  const authkitToken = await workos.signAccessToken(workosClaims);
  const sealAuthkit = (accessToken: string) =>
    peers.iron.sealData(authkitSession(accessToken), { password: authkitPassword });

  const auth0Session = {
    user: {
      sub: 'auth0|bench0001',
      name: 'Ada Admin',
      nickname: 'ada',
      email: 'admin@acme.test',
      email_verified: true,
      picture: 'https://example.test/ada.png',
      updated_at: '2026-01-01T00:00:00.000Z',
    },
    tokenSet: {
      // Opaque to the middleware, which never verifies them; JWT-sized, as Auth0 issues them.
      accessToken: await workos.signAccessToken({ ...workosClaims, sub: 'auth0|bench0001' }),
      idToken: await workos.signAccessToken({ sub: 'auth0|bench0001', iat: now, exp: now + HOUR }),
      refreshToken: randomBytes(36).toString('base64url'),
      scope: 'openid profile email offline_access',
      expiresAt: now + HOUR,
    },
    internal: { sid: 'bench-auth0-sid', createdAt: now },
  };
  const sealAuth0 = (secret: string) =>
    peers.auth0Testing.generateSessionCookie(structuredClone(auth0Session), { secret });

  const session = (
    name: string,
    value: string,
    forgedValue: string,
    pool: PeerSession['pool'],
  ): PeerSession => ({
    cookieName: name,
    value,
    header: `${name}=${value}`,
    forged: `${name}=${forgedValue}`,
    pool,
  });
  const mintEach = (mint: () => Promise<string>) => (count: number) =>
    Promise.all(Array.from({ length: count }, mint));
  return {
    sessions: {
      ours: session(
        oursName,
        ours.sealed,
        await seal(breakSignature(ours.token), 'access', [ours.secret]),
        (count) => sealPool(ours, count),
      ),
      authkit: session(
        'wos-session',
        await sealAuthkit(authkitToken),
        await sealAuthkit(breakSignature(authkitToken)),
        mintEach(() => sealAuthkit(authkitToken)),
      ),
      auth0: session(
        '__session',
        await sealAuth0(auth0Secret),
        await sealAuth0(randomBytes(32).toString('hex')),
        mintEach(() => sealAuth0(auth0Secret)),
      ),
    },
    forgedAs: {
      ours: 'sealed with the right secret, access token with a broken signature',
      authkit: 'sealed with the right password, access token with a broken signature',
      auth0: 'encrypted with another secret (the middleware verifies no token, only the cookie)',
    },
    env: {
      WORKOS_API_KEY: 'sk_test_bench',
      WORKOS_CLIENT_ID: workos.clientId,
      WORKOS_COOKIE_PASSWORD: authkitPassword,
      WORKOS_API_HOSTNAME: '127.0.0.1',
      WORKOS_API_HTTPS: 'false',
      WORKOS_API_PORT: String(workos.port),
      // Used for login and discovery only, which no request here reaches. nextjs-auth0 refuses IP
      // addresses and ports; `.invalid` never resolves (RFC 2606), so nothing could leave anyway.
      AUTH0_DOMAIN: 'bench-tenant.auth0.invalid',
      AUTH0_CLIENT_ID: 'bench-auth0-client',
      AUTH0_CLIENT_SECRET: randomBytes(24).toString('base64url'),
      AUTH0_SECRET: auth0Secret,
    },
    authkitPassword,
    auth0Secret,
    authkitJwksUrl: `${workos.url}/sso/jwks/${workos.clientId}`,
  };
}

/** The token with one signature byte changed: well-formed, signed by no one. */
function breakSignature(token: string): string {
  const [header, payload, signature = ''] = token.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  bytes[0] = bytes[0]! ^ 0xff;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}
