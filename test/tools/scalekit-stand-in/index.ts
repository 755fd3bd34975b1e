import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWSHeaderParameters, JWTPayload } from 'jose';
import { handleAccountPage, isAccountPage } from './account-pages';
import { MemoryStore } from './adapter';
import { Administration } from './administration';
import { ClientRegistry, type ClientUris } from './client-registry';
import { CONTROL_PATH, handleControl } from './control';
import { Directory } from './directory';
import { sendJson } from './http-io';
import { handleInteraction } from './interactions';
import { KeyRing } from './keys';
import { managementHandler } from './management';
import {
  buildProvider,
  INTERACTION_PATH,
  asScalekitAuthorizationRequest,
  ROUTES,
  type TokenMode,
} from './provider';
import { endpointOf, Traffic, type Endpoint, type FaultMode } from './traffic';
import { listenTwoProtocols } from './two-protocols';
import { WebhookSender, type WebhookDelivery } from './webhooks';

export type { ClientUris, Endpoint, FaultMode, TokenMode, WebhookDelivery };

export interface IssuerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  clientId?: string;
  clientSecret?: string;
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  /** The dashboard's Initiate login URL (the app's `/login`). */
  initiateLoginUri?: string;
  /** Default 300, Scalekit's five minutes. */
  accessTokenTtlSeconds?: number;
  /** Receives an OIDC back-channel logout token when a session signs out. */
  backchannelLogoutUri?: string;
  /** Reject authorization requests without PKCE. Scalekit does not, so neither does the default. */
  requirePkce?: boolean;
  /** Webhook endpoints (the dashboard's "Webhooks" page): URL and its `whsec_…` signing secret. */
  webhookEndpoints?: Array<{ url: string; secret: string }>;
}

export interface RunningIssuer {
  /** The issuer identifier and base URL, `http://127.0.0.1:<port>` with no trailing slash. */
  url: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
  /** Publishes a new key next to the old ones at /keys and signs with it from now on. */
  rotateKeys(): Promise<{ kid: string }>;
  /** `error`: HTTP 500; `hang`: no answer until the fault changes; `slow`: answer after delayMs. */
  setFault(endpoint: Endpoint, mode: FaultMode | null, delayMs?: number): void;
  counts(): Record<Endpoint, number>;
  /** Signs and sends Scalekit's webhooks (`user.logout` on a sign-out at the hosted page, …). */
  readonly webhooks: WebhookSender;
  /**
   * The environment's users, organizations, memberships, invitations and sessions, and the admin
   * operations on them that the management API serves (invite, remove, revoke a session, …).
   */
  readonly administration: Administration;
  resetCounts(): void;
  /** Applies to access tokens issued from now on. */
  setAccessTokenTtl(seconds: number): void;
  /** Replaces the token shapes in force (see {@link TokenMode}); `{}` restores Scalekit's usual ones. */
  setTokenMode(mode: TokenMode): void;
  registerClientUris(uris: ClientUris): void;
  /** Signs arbitrary claims with the current signing key and kid. */
  signJwt(payload: JWTPayload, header?: JWSHeaderParameters): Promise<string>;
  /**
   * Shifts the clock the HTTP `Date` response header shows by whole seconds (negative: behind),
   * as a server with a wrong clock would; 0 restores it. Token times are not affected.
   */
  setDateSkew(seconds: number): void;
}

/**
 * Starts a local stand-in for a Scalekit environment on 127.0.0.1: oidc-provider behind a small
 * front door that counts requests, injects faults, serves the login page and the test controls.
 */
export async function startIssuer(options: IssuerOptions = {}): Promise<RunningIssuer> {
  const keys = await KeyRing.create();
  const clients = new ClientRegistry(
    options.clientId ?? 'skc_local_dev',
    options.clientSecret ?? randomBytes(24).toString('base64url'),
    options.backchannelLogoutUri,
    options,
  );
  const store = new MemoryStore(clients, Directory.seeded());
  const traffic = new Traffic();
  const webhooks = new WebhookSender();
  for (const { url, secret } of options.webhookEndpoints ?? []) webhooks.register(url, secret);
  const cookieKeys = [randomBytes(32).toString('base64url')];
  let accessTokenTtlSeconds = positiveInteger(options.accessTokenTtlSeconds ?? 300);
  let dateSkewSeconds = 0;
  let tokenMode: TokenMode = {};

  // The handlers need the URL, which is known once the port is.
  let http1: (req: IncomingMessage, res: ServerResponse) => void = () => {};
  let http2: ReturnType<typeof managementHandler> = () => {};
  const server = await listenTwoProtocols(
    options.port ?? 0,
    (req, res) => http1(req, res),
    (req, res) => http2(req, res),
  );
  const { url } = server;
  const administration = new Administration(url, store, clients, webhooks);
  const management = managementHandler(administration, {
    issuer: url,
    clientId: clients.clientId,
    keys,
  });
  http2 = (req, res) => {
    traffic.count('management');
    traffic.pass('management', res).then(
      (pass) => pass && management(req, res),
      () => res.destroy(),
    );
  };

  const build = () =>
    buildProvider({
      issuer: url,
      store,
      keys,
      cookieKeys,
      accessTokenTtlSeconds: () => accessTokenTtlSeconds,
      requirePkce: options.requirePkce ?? false,
      webhooks,
      tokenMode: () => tokenMode,
    });
  let provider = build();
  let forward = provider.callback();

  const issuer: RunningIssuer = {
    url,
    clientId: clients.clientId,
    clientSecret: clients.clientSecret,
    async close() {
      traffic.close();
      await server.close();
    },
    async rotateKeys() {
      const kid = await keys.rotate();
      provider = build();
      forward = provider.callback();
      return { kid };
    },
    setFault: (endpoint, mode, delayMs) => traffic.setFault(endpoint, mode, delayMs),
    counts: () => traffic.counts(),
    webhooks,
    administration,
    resetCounts: () => traffic.resetCounts(),
    setAccessTokenTtl(seconds) {
      accessTokenTtlSeconds = positiveInteger(seconds);
    },
    setTokenMode(mode) {
      tokenMode = { ...mode };
    },
    registerClientUris: (uris) => clients.register(uris),
    signJwt: (payload, header) => keys.sign(payload, header),
    setDateSkew(seconds) {
      if (!Number.isInteger(seconds)) {
        throw new TypeError(`expected a whole number of seconds, got ${seconds}`);
      }
      dateSkewSeconds = seconds;
    },
  };

  async function frontDoor(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestUrl = new URL(req.url ?? '/', url);
    const { pathname } = requestUrl;
    // Node writes its own Date header unless one is set.
    if (dateSkewSeconds !== 0) {
      res.setHeader('date', new Date(Date.now() + dateSkewSeconds * 1000).toUTCString());
    }
    if (pathname.startsWith(`${CONTROL_PATH}/`)) {
      return handleControl(issuer, req, res, pathname);
    }
    const endpoint = endpointOf(pathname);
    traffic.count(endpoint);
    if (!(await traffic.pass(endpoint, res))) return;
    if (pathname.startsWith(`${INTERACTION_PATH}/`)) {
      return handleInteraction(provider, store, req, res, pathname);
    }
    if (isAccountPage(pathname)) return handleAccountPage(administration, req, res, pathname);
    const forwarded = asScalekitAuthorizationRequest(requestUrl);
    // The app sent a nonce; an ID token without one is what it gets back when Scalekit ignores it.
    if (tokenMode.omitNonce && forwarded.pathname === ROUTES.authorization) {
      forwarded.searchParams.delete('nonce');
    }
    req.url = `${forwarded.pathname}${forwarded.search}`;
    return forward(req, res);
  }

  http1 = (req, res) => {
    frontDoor(req, res).catch((error: unknown) => {
      console.error('[issuer] request failed', error);
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { error: 'server_error' });
    });
  };
  return issuer;
}

function positiveInteger(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds <= 0) {
    throw new TypeError(`expected a positive whole number of seconds, got ${seconds}`);
  }
  return seconds;
}
