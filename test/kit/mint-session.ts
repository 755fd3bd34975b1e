import type { JWSHeaderParameters, JWTPayload } from 'jose';
import type { CookieOptions, CookieSink } from '@/lib/edge/session-cookies';
import { revokeSession } from '@/lib/server/revocation';
import { setSessionCookies } from '@/lib/server/session-records';
import type { Store } from '@/lib/server/store/store';

/** Signs claims with a key the app under test trusts (its `SCALEKIT_ENV_URL/keys`). */
export interface Signer {
  /** The issuer the tokens name: what the app has as `SCALEKIT_ENV_URL`. */
  readonly issuer: string;
  /** The app's `SCALEKIT_CLIENT_ID`: the tokens' audience. */
  readonly clientId: string;
  sign(payload: JWTPayload, header?: JWSHeaderParameters): Promise<string>;
}

export interface MintOptions {
  /** {@link standInSigner} (the local Scalekit stand-in's keys) or a {@link throwawayKeySet}. */
  readonly signer: Signer;
  /** The app's `SESSION_COOKIE_SECRET` (the first of a list seals). */
  readonly secret: string;
  /** The app's origin: an https one gets `Secure` and the `__Host-` names, as in production. */
  readonly appUrl?: string;
  readonly user?: {
    readonly sub?: string;
    readonly email?: string;
    readonly name?: string;
  };
  /** The access token's `oid`; roles and permissions are this organization's. */
  readonly organizationId?: string;
  readonly roles?: readonly string[];
  readonly permissions?: readonly string[];
  /** Access-token lifetime in seconds (default 300, Scalekit's). */
  readonly lifetimeSeconds?: number;
  /** An access token that expired a minute ago (genuine otherwise: worth a refresh). */
  readonly expired?: boolean;
  /** The session id; give a revoked one to test revocation. Default: a fresh `ses_…`. */
  readonly sid?: string;
  /** When the person signed in, ms since the epoch (default now): set it back to test step-up. */
  readonly signedInAt?: number;
  /**
   * The refresh token sealed in the refresh cookie. A minted one is unknown to any issuer, so a
   * refresh with it fails as Scalekit would fail it (`refresh_failed`); `false` for none.
   */
  readonly refreshToken?: string | false;
  /** Put the session's `sid` on the revocation list of this store (the app's: Upstash in strict mode). */
  readonly revokedIn?: Store;
}

/** One cookie as the app set it. */
export interface MintedCookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
  readonly secure: boolean;
}

export interface MintedSession {
  readonly accessToken: string;
  readonly idToken: string;
  /** The access token's claims, as minted. */
  readonly claims: JWTPayload & { sub: string; sid: string };
  readonly cookies: readonly MintedCookie[];
  /**
   * The `Cookie` header a browser sends to `path`: for a `NextRequest` (edge project) or a Route
   * Handler call (node project). The refresh cookie goes only to `/api/refresh`, as in a browser.
   */
  cookieHeader(path?: string): string;
  /** A Playwright storage state holding the session, for `browser.newContext({ storageState })`. */
  storageState(): {
    cookies: Array<{
      name: string;
      value: string;
      domain: string;
      path: string;
      expires: number;
      httpOnly: boolean;
      secure: boolean;
      sameSite: 'Lax';
    }>;
    origins: [];
  };
}

/**
 * Mints a real session for the app's own tests: an access token and an ID token signed by a key
 * the app trusts, sealed into the exact cookies the app writes (through its own writer, so the
 * format cannot drift), for any person, organization, roles, permissions and lifetime. Lives with
 * the tests: nothing in the app imports it (a test checks the build).
 *
 * @example
 * const session = await mintSession({
 *   signer: standInSigner(issuerUrl, clientId),
 *   secret: process.env.SESSION_COOKIE_SECRET!,
 *   roles: ['admin'],
 * });
 * const response = await GET(new NextRequest(url, { headers: { cookie: session.cookieHeader() } }));
 */
export async function mintSession(options: MintOptions): Promise<MintedSession> {
  const { signer } = options;
  const now = Math.floor(Date.now() / 1000);
  const lifetime = options.lifetimeSeconds ?? 300;
  const iat = options.expired ? now - lifetime - 60 : now;
  const sub = options.user?.sub ?? `usr_${randomId()}`;
  const sid = options.sid ?? `ses_${randomId()}`;
  const organizationId = options.organizationId ?? 'org_test_0001';
  const claims = {
    iss: signer.issuer,
    sub,
    aud: [signer.clientId],
    iat,
    nbf: iat,
    exp: iat + lifetime,
    jti: `tkn_${randomId()}`,
    sid,
    oid: organizationId,
    client_id: signer.clientId,
    roles: [...(options.roles ?? ['member'])],
    permissions: [...(options.permissions ?? [])],
    scope: 'openid profile email offline_access',
  };
  const accessToken = await signer.sign(claims, { typ: 'JWT' });
  const email = options.user?.email ?? `${sub}@example.test`;
  const idToken = await signer.sign({
    iss: signer.issuer,
    sub,
    aud: [signer.clientId],
    azp: signer.clientId,
    iat: now,
    exp: now + 1800,
    nonce: randomId(),
    sid,
    oid: organizationId,
    email,
    email_verified: true,
    name: options.user?.name ?? email,
  });

  const secureCookies = (options.appUrl ?? 'http://localhost').startsWith('https:');
  const cookies: MintedCookie[] = [];
  const sink: CookieSink = {
    set(name: string, value: string, cookie: CookieOptions) {
      if (cookie.maxAge > 0)
        cookies.push({ name, value, path: cookie.path, secure: cookie.secure });
    },
  };
  const refreshToken = options.refreshToken ?? `rt_${randomId()}`;
  await setSessionCookies(
    sink,
    {
      accessToken,
      sid,
      ...(refreshToken === false ? {} : { refreshToken }),
      signIn: { idToken, sid, signedInAt: options.signedInAt ?? Date.now() },
    },
    { secureCookies, sessionSecrets: [options.secret], sessionMaxAgeSeconds: 7 * 24 * 3600 },
  );

  if (options.revokedIn) await revokeSession(options.revokedIn, sid, claims.exp);

  return {
    accessToken,
    idToken,
    claims,
    cookies,
    cookieHeader(path = '/') {
      return cookies
        .filter(
          (cookie) => path === cookie.path || path.startsWith(`${cookie.path.replace(/\/$/, '')}/`),
        )
        .map((cookie) => `${cookie.name}=${cookie.value}`)
        .join('; ');
    },
    storageState() {
      const host = new URL(options.appUrl ?? 'http://localhost').hostname;
      return {
        cookies: cookies.map((cookie) => ({
          ...cookie,
          domain: host,
          expires: now + 7 * 24 * 3600,
          httpOnly: true,
          sameSite: 'Lax' as const,
        })),
        origins: [],
      };
    },
  };
}

function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(10)), (b) =>
    b.toString(36).padStart(2, '0'),
  ).join('');
}
