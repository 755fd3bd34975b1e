// First: it drops oidc-provider's Node 20 "Unsupported runtime" line while oidc-provider loads.
import { hearWarningsAgain } from './runtime-warning';
import Provider, {
  errors,
  interactionPolicy,
  type AccessToken,
  type KoaContextWithOIDC,
  type StructuredJwt,
} from 'oidc-provider';
import type { MemoryStore } from './adapter';
import { scalekitId } from './ids';
import type { KeyRing } from './keys';
import { autoSubmitLogoutPage, errorPage, signedOutPage } from './pages';
import { findM2mClient } from './m2m-clients';
import { idTokenClaims } from './users';
import type { WebhookSender } from './webhooks';

hearWarningsAgain();

export const ROUTES = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  jwks: '/keys',
  end_session: '/oidc/logout',
} as const;

export const INTERACTION_PATH = '/interaction';

/**
 * oidc-provider only issues JWT access tokens for a resource indicator. Scalekit has none, so every
 * token is bound to this one, whose audience is the client id.
 */
export const APP_RESOURCE = 'urn:scalekit:app';
const APP_RESOURCE_SCOPE = 'openid profile email offline_access';

const HOUR = 60 * 60;
const DAY = 24 * HOUR;

/** The authorize parameter that names the organization to sign in to. */
export const ORGANIZATION_PARAM = 'organization_id';

/**
 * The parameter the stand-in adds to the initiate-login URL after an invitation is accepted, which
 * the app forwards to the authorize URL. Scalekit documents "invitation parameters" without naming
 * them (guides/dashboard/intitate-login-endpoint), so this name is the stand-in's own.
 */
export const INVITATION_PARAM = 'invitation_token';

export interface ProviderSettings {
  issuer: string;
  store: MemoryStore;
  keys: KeyRing;
  cookieKeys: string[];
  accessTokenTtlSeconds: () => number;
  requirePkce: boolean;
  webhooks: WebhookSender;
  tokenMode: () => TokenMode;
}

/**
 * Shapes of Scalekit's tokens that its docs leave open or that another kind of environment issues,
 * for tests of how the app copes. Each applies to tokens issued from then on.
 */
export interface TokenMode {
  /** No public source says Scalekit's ID token echoes `nonce`: leave it out. */
  omitNonce?: boolean;
  /** `roles` and `permissions` are documented as optional: send them as `null`. */
  nullClaims?: boolean;
  /**
   * A Modular SSO environment (SSO only, the app keeps its own sessions): access tokens without
   * `sid`, `oid`, `roles` or `permissions`, their `sub` naming the connection (`conn_…;…`).
   */
  modularSso?: boolean;
  /**
   * `auth_time` in ID tokens: Scalekit's ID token reference (developer docs, "ID token claims":
   * its sample payload and claim table) lists none, so by default there is none, even after
   * `prompt=login`. `number`: the time the stand-in's session authenticated, on every ID token;
   * `null`: the claim present but empty. Both are shapes the docs do not rule out.
   */
  authTime?: 'number' | 'null';
}

/**
 * An oidc-provider configured to look like a Scalekit environment from the outside. Signing keys
 * are fixed at construction, so the issuer builds a new Provider on every key rotation; all state
 * lives in the shared store.
 */
export function buildProvider(settings: ProviderSettings): Provider {
  const policy = interactionPolicy.base();
  // `organization_id` alone routes to that organization's SSO connection, which authenticates the
  // user whatever session the stand-in has. With `prompt=select_account` it only picks the
  // organization, and the select_account prompt already asks for an interaction.
  policy
    .get('login')
    ?.checks.add(
      new interactionPolicy.Check(
        'organization_sso',
        "the organization's SSO connection authenticates the user",
        'login_required',
        (ctx) =>
          ctx.oidc.params[ORGANIZATION_PARAM] !== undefined &&
          !ctx.oidc.prompts.has('select_account') &&
          !ctx.oidc.result?.login,
      ),
    );
  // An invitation's sign-in is settled by the interaction (who signs in and where) even when the
  // browser has a session, which may be someone else's.
  policy
    .get('login')
    ?.checks.add(
      new interactionPolicy.Check(
        'invitation',
        'the accepted invitation names who signs in',
        'login_required',
        (ctx) => ctx.oidc.params[INVITATION_PARAM] !== undefined && !ctx.oidc.result?.login,
      ),
    );
  // The SDK can send these: `create` is answered with the login page, `select_account` with the
  // organization picker (see interactions.ts).
  policy.add(new interactionPolicy.Prompt({ name: 'create', requestable: true }));
  policy.add(new interactionPolicy.Prompt({ name: 'select_account', requestable: true }));

  const provider = new Provider(settings.issuer, {
    adapter: settings.store.adapterFor,
    jwks: settings.keys.privateJwks(),
    routes: ROUTES,
    cookies: {
      // The app under test shares the 127.0.0.1 host (cookies ignore ports).
      names: {
        session: 'issuer_session',
        interaction: 'issuer_interaction',
        resume: 'issuer_interaction_resume',
      },
      keys: settings.cookieKeys,
    },
    clientAuthMethods: ['client_secret_post'],
    extraParams: [ORGANIZATION_PARAM, INVITATION_PARAM],
    allowOmittingSingleRegisteredRedirectUri: false,
    pkce: { required: () => settings.requirePkce },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    claims: {
      openid: ['sub', 'oid'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
    },
    // `token` is the code or refresh token the ID token is issued for: its grant names the
    // organization. Without one (the authorization endpoint loading the session's account) no
    // claims are read.
    findAccount: (_ctx, sub, token) => {
      const user = settings.store.directory.user(sub);
      return (
        user && {
          accountId: user.id,
          claims: () => idTokenClaims(user, organizationOf(settings.store, token?.grantId)),
        }
      );
    },
    loadExistingGrant,
    // oidc-provider would tie codes and refresh tokens to the session's current grant, and a
    // session has one grant per client: signing in to a second organization would then kill the
    // first organization's refresh tokens. Scalekit documents nothing about them; the stand-in
    // keeps them working (dropping them is the app's job), so tokens are not session-bound here,
    // and logging out revokes all of the session's tokens instead (the end_session.success
    // listener below). Sessions and refresh tokens both last a day, so neither outlives the other.
    expiresWithSession: () => false,
    rotateRefreshToken: true,
    ttl: {
      AccessToken: () => settings.accessTokenTtlSeconds(),
      AuthorizationCode: 10 * 60,
      IdToken: 30 * 60,
      RefreshToken: DAY,
      Grant: DAY,
      Session: DAY,
      Interaction: HOUR,
      // A day: Scalekit's client-credentials responses say `expires_in: 86399`.
      ClientCredentials: DAY,
    },
    interactions: {
      policy,
      url: (_ctx, interaction) => `${INTERACTION_PATH}/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      userinfo: { enabled: false },
      backchannelLogout: { enabled: true },
      claimsParameter: { enabled: true },
      // The SDK's own management calls (`getClientAccessToken`) and M2M clients use it.
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => APP_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator, client) => {
          if (resourceIndicator !== APP_RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: APP_RESOURCE_SCOPE,
            audience: client.clientId,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          ctx.body = autoSubmitLogoutPage(form);
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = signedOutPage();
        },
      },
    },
    formats: { customizers: { jwt: accessTokenShaper(settings.store, settings.tokenMode) } },
    fetch: fetchWithoutSsrfGuard,
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(out.error, out.error_description);
    },
  });

  shapeAuthTime(provider, settings.tokenMode);

  provider.on('server_error', (_ctx, error) => {
    console.error('[issuer] server_error', error);
  });
  provider.on('end_session.success', (ctx) => {
    const { session } = ctx.oidc;
    if (!session?.uid) return;
    // Read before the revocation below forgets the grants' organizations.
    const ended = Object.values(session.authorizations ?? {}).map(({ sid, grantId }) => ({
      sid,
      organizationId: settings.store.grantOrganization(grantId),
    }));
    settings.store.revokeSession(session.uid);
    const { directory } = settings.store;
    const user = directory.user(session.accountId);
    for (const { sid, organizationId } of ended) {
      if (sid && directory.session(sid)) directory.endSession(sid, 'LOGGED_OUT');
      if (user && sid) void settings.webhooks.emit(...userLogout(user, sid, organizationId));
    }
  });
  // The directory's sessions, as the session API lists them: the browser and address that signed
  // in, and when a token was last issued for the session.
  provider.on('authorization.success', (ctx) => {
    const { session, client } = ctx.oidc;
    if (!session?.uid || !session.accountId || !client) return;
    const sessionId = session.sidFor(client.clientId);
    const organizationId = settings.store.grantOrganization(session.grantIdFor(client.clientId));
    if (!sessionId || !organizationId) return;
    settings.store.directory.recordSignIn({
      sessionId,
      uid: session.uid,
      userId: session.accountId,
      organizationId,
      userAgent: ctx.get('user-agent'),
      ip: ctx.ip,
    });
  });
  provider.on('grant.success', (ctx) => {
    const { AuthorizationCode, RefreshToken } = ctx.oidc.entities;
    settings.store.directory.touchSession((RefreshToken ?? AuthorizationCode)?.sid);
  });
  return provider;
}

/**
 * `user.logout` for a session ended at the hosted page (the OpenAPI's `UserAuthEventData`: the
 * user, and the session with `session_id`). Its example shows `status: ACTIVE` and `logout_at: null`
 * even for a logout; the stand-in sends what the event means, and the app reads neither.
 */
export function userLogout(
  user: { id: string; email: string },
  sid: string,
  organizationId: string | undefined,
): Parameters<WebhookSender['emit']> {
  const now = new Date().toISOString();
  const userSession = {
    session_id: sid,
    user_id: user.id,
    ...(organizationId ? { organization_id: organizationId } : {}),
    status: 'LOGGED_OUT',
    logout_at: now,
    updated_at: now,
  };
  return [
    'user.logout',
    { user: { id: user.id, email: user.email }, user_session: userSession },
    organizationId,
  ];
}

/**
 * The organization a grant signed in to. Every grant the stand-in saves records one (see
 * interactions.ts), so a missing one is a bug: fail rather than guess an organization.
 */
function organizationOf(store: MemoryStore, grantId: string | undefined): string {
  const organizationId = store.grantOrganization(grantId);
  if (!organizationId) throw new Error(`grant ${grantId} has no organization`);
  return organizationId;
}

/**
 * The access-token claims and header Scalekit documents, on top of oidc-provider's defaults. A
 * user token carries the grant's organization with the user's roles and permissions there; a
 * client-credentials token names only the client, with its scopes as an array.
 */
function accessTokenShaper(store: MemoryStore, tokenMode: () => TokenMode) {
  return (_ctx: KoaContextWithOIDC, token: AccessToken, jwt: StructuredJwt): void => {
    jwt.header = { typ: 'JWT' };
    Object.assign(jwt.payload, {
      aud: [token.clientId],
      jti: `tkn_${token.jti}`,
      nbf: jwt.payload.iat,
    });
    if (token.kind === 'ClientCredentials') {
      const { scope } = jwt.payload;
      delete jwt.payload.scope;
      if (typeof scope === 'string') jwt.payload.scopes = scope.split(' ');
      // An organization's M2M client: its registered audience, organization and scopes
      // (developer docs, guides/m2m/scopes.mdx: `client_id`, `sub`, `oid`, `scopes`, no `sid`).
      const m2m = findM2mClient(token.clientId);
      if (m2m) {
        Object.assign(jwt.payload, {
          aud: [...m2m.audience],
          oid: m2m.organizationId,
          scopes: [...m2m.scopes],
        });
      }
      return;
    }
    const user = store.directory.user(token.accountId);
    const organizationId = organizationOf(store, token.grantId);
    const membership = user && store.directory.activeMembership(user.id, organizationId);
    if (!user || !membership)
      throw new Error(`${token.accountId} is no member of ${organizationId}`);
    const mode = tokenMode();
    if (mode.modularSso) {
      jwt.payload.sub = `conn_${organizationId.slice('org_'.length)};${user.email}`;
      return;
    }
    Object.assign(jwt.payload, {
      sid: token.sid,
      oid: organizationId,
      roles: mode.nullClaims ? null : membership.roles,
      permissions: mode.nullClaims ? null : membership.permissions,
    });
  };
}

/**
 * oidc-provider puts `auth_time` in an ID token whenever the request said `prompt=login` or
 * `max_age`; Scalekit documents no such claim (see {@link TokenMode.authTime}), so the stand-in
 * sends it only in a token mode that asks for it. Logout tokens (`events`) are left alone.
 */
function shapeAuthTime(provider: Provider, tokenMode: () => TokenMode): void {
  const { prototype } = provider.IdToken;
  const payload = prototype.payload;
  prototype.payload = async function (this: typeof prototype) {
    const claims = await payload.call(this);
    if ('events' in claims) return claims;
    const { authTime } = tokenMode();
    delete claims.auth_time;
    if (authTime === 'null') claims.auth_time = null;
    if (authTime === 'number') claims.auth_time = this.available.auth_time;
    return claims;
  };
}

/**
 * oidc-provider's outgoing requests (here: back-channel logout) go through a dispatcher that
 * refuses loopback addresses to prevent SSRF, but the apps it serves run on 127.0.0.1 next to it.
 */
function fetchWithoutSsrfGuard(url: string, options: RequestInit): Promise<Response> {
  const init: RequestInit & { dispatcher?: unknown } = { ...options, dispatcher: undefined };
  return fetch(url, init);
}

/**
 * The default lookup, plus a `ses_…` session id: oidc-provider mints a bare one for a client only
 * when it finds a grant and the session has no id for that client yet, so minting first wins.
 */
async function loadExistingGrant(ctx: KoaContextWithOIDC) {
  const { session, client, result, provider } = ctx.oidc;
  if (!session || !client) return undefined;
  const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
  if (!grantId) return undefined;
  if (!session.sidFor(client.clientId)) session.sidFor(client.clientId, scalekitId('ses'));
  return provider.Grant.find(grantId);
}

/**
 * Bridges two places where oidc-provider reads the same authorization request differently from
 * Scalekit:
 * - `offline_access`: Scalekit issues a refresh token whenever it is requested; oidc-provider
 *   follows OIDC Core §11 and drops the scope unless the request says `prompt=consent`. So consent
 *   is added, and the interaction grants it without a screen. `prompt=none` is left alone: it cannot
 *   be combined with another prompt.
 * - `sid`: Scalekit always puts the session id in its tokens; oidc-provider records it only for
 *   back-channel-logout clients or when the claims parameter asks for it. So the request asks.
 */
export function asScalekitAuthorizationRequest(url: URL): URL {
  if (url.pathname !== ROUTES.authorization) return url;
  const adapted = new URL(url);
  const { searchParams } = adapted;

  const scopes = searchParams.get('scope')?.split(' ') ?? [];
  const prompts = searchParams.get('prompt')?.split(' ').filter(Boolean) ?? [];
  if (
    scopes.includes('offline_access') &&
    !prompts.includes('none') &&
    !prompts.includes('consent')
  ) {
    searchParams.set('prompt', [...prompts, 'consent'].join(' '));
  }

  const claims = parseJson(searchParams.get('claims') ?? '{}');
  const idTokenClaims = isJsonObject(claims) ? (claims.id_token ?? {}) : undefined;
  // Anything malformed is passed through untouched for oidc-provider to reject.
  if (isJsonObject(claims) && isJsonObject(idTokenClaims)) {
    searchParams.set(
      'claims',
      JSON.stringify({ ...claims, id_token: { ...idTokenClaims, sid: null } }),
    );
  }
  return adapted;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
