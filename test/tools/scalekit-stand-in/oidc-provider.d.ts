// oidc-provider ships no type declarations. These cover only the surface the local issuer uses,
// typed from the v9 sources (lib/provider.js, lib/helpers/defaults.js, lib/models/*).
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export type AdapterPayload = Record<string, unknown> & {
    grantId?: string;
    sessionUid?: string;
    uid?: string;
    userCode?: string;
    consumed?: number;
  };

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export interface ClientMetadata {
    client_id: string;
    client_secret: string;
    redirect_uris: string[];
    post_logout_redirect_uris: string[];
    grant_types: string[];
    response_types: string[];
    token_endpoint_auth_method: string;
    backchannel_logout_uri?: string;
    backchannel_logout_session_required?: boolean;
  }

  export interface Client {
    clientId: string;
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string): Record<string, unknown>;
  }

  export interface Session {
    readonly uid: string;
    accountId?: string;
    /** Per client: the session id (`sid`) it was given and its grant. */
    readonly authorizations?: Record<string, { sid?: string; grantId?: string }>;
    sidFor(clientId: string): string | undefined;
    sidFor(clientId: string, value: string): void;
    grantIdFor(clientId: string): string | undefined;
  }

  export interface Grant {
    readonly jti: string;
    readonly accountId: string;
    readonly clientId: string;
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface GrantConstructor {
    new (properties: { accountId: string; clientId: string }): Grant;
    find(id: string): Promise<Grant | undefined>;
  }

  export interface InteractionResults {
    login?: { accountId: string };
    consent?: { grantId?: string };
    error?: string;
    error_description?: string;
    [prompt: string]: unknown;
  }

  export interface Interaction {
    readonly uid: string;
    readonly prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    readonly params: Record<string, unknown>;
    readonly session?: { accountId: string; uid: string };
    readonly grantId?: string;
    /** The result of the previous interaction of the same authorization request, if any. */
    readonly lastSubmission?: InteractionResults;
  }

  export interface KoaContextWithOIDC {
    type: string;
    body: unknown;
    /** Koa's client address (the socket's: the stand-in trusts no proxy header). */
    readonly ip: string;
    get(header: string): string;
    oidc: {
      provider: Provider;
      client?: Client;
      session?: Session;
      result?: InteractionResults;
      params: Record<string, unknown>;
      /** The tokens a grant request read or issued. */
      entities: { AuthorizationCode?: { sid?: string }; RefreshToken?: { sid?: string } };
      /** The prompts the authorization request asked for. */
      prompts: Set<string>;
    };
  }

  /** The subset of an access token (user or client credentials) that formats.customizers.jwt reads. */
  export interface AccessToken {
    readonly kind: 'AccessToken' | 'ClientCredentials';
    readonly jti: string;
    readonly clientId: string;
    readonly accountId?: string;
    readonly grantId?: string;
    readonly sid?: string;
  }

  export interface StructuredJwt {
    header?: Record<string, unknown>;
    payload: Record<string, unknown>;
  }

  export interface ResourceServer {
    scope: string;
    audience: string;
    accessTokenFormat: 'jwt' | 'opaque';
    jwt?: { sign?: { alg: string } };
  }

  export interface Check {
    readonly reason: string;
  }

  export interface Prompt {
    readonly name: string;
    readonly checks: Check[] & { add(check: Check, index?: number): void };
  }

  export type InteractionPolicy = Prompt[] & {
    add(prompt: Prompt, index?: number): void;
    get(name: string): Prompt | undefined;
  };

  type Ttl = number | ((ctx: KoaContextWithOIDC, token: unknown, client: Client) => number);

  export interface Configuration {
    adapter?: (model: string) => Adapter;
    allowOmittingSingleRegisteredRedirectUri?: boolean;
    claims?: Record<string, string[] | null>;
    clientAuthMethods?: string[];
    cookies?: {
      names?: { session?: string; interaction?: string; resume?: string };
      keys?: string[];
    };
    expiresWithSession?: (ctx: KoaContextWithOIDC, token: unknown) => boolean;
    extraParams?: string[];
    features?: {
      backchannelLogout?: { enabled: boolean };
      claimsParameter?: { enabled: boolean };
      clientCredentials?: { enabled: boolean };
      devInteractions?: { enabled: boolean };
      dPoP?: { enabled: boolean };
      pushedAuthorizationRequests?: { enabled: boolean };
      resourceIndicators?: {
        enabled: boolean;
        defaultResource?: (ctx: KoaContextWithOIDC, client: Client, oneOf?: string[]) => string;
        useGrantedResource?: (ctx: KoaContextWithOIDC, model: unknown) => boolean;
        getResourceServerInfo?: (
          ctx: KoaContextWithOIDC,
          resourceIndicator: string,
          client: Client,
        ) => ResourceServer;
      };
      rpInitiatedLogout?: {
        enabled: boolean;
        logoutSource?: (ctx: KoaContextWithOIDC, form: string) => void;
        postLogoutSuccessSource?: (ctx: KoaContextWithOIDC) => void;
      };
      userinfo?: { enabled: boolean };
    };
    fetch?: (url: string, options: RequestInit) => Promise<Response>;
    /** `token`: the code or refresh token an ID token is issued for, when there is one. */
    findAccount?: (
      ctx: KoaContextWithOIDC,
      sub: string,
      token?: { grantId?: string },
    ) => Account | undefined;
    formats?: {
      customizers?: {
        jwt?: (ctx: KoaContextWithOIDC, token: AccessToken, jwt: StructuredJwt) => void;
      };
    };
    interactions?: {
      policy?: InteractionPolicy;
      url?: (ctx: KoaContextWithOIDC, interaction: Interaction) => string;
    };
    jwks?: { keys: JsonWebKey[] };
    loadExistingGrant?: (ctx: KoaContextWithOIDC) => Promise<Grant | undefined>;
    pkce?: { required?: (ctx: KoaContextWithOIDC, client: Client) => boolean };
    renderError?: (
      ctx: KoaContextWithOIDC,
      out: { error: string; error_description?: string },
      error: Error,
    ) => void;
    rotateRefreshToken?: boolean;
    routes?: Record<string, string>;
    scopes?: string[];
    ttl?: Record<string, Ttl>;
  }

  /** oidc-provider's ID (and logout) token builder: the claims it was given, masked on issue. */
  export interface IdTokenModel {
    readonly available: Record<string, unknown>;
    payload(): Promise<Record<string, unknown>>;
  }

  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    readonly Grant: GrantConstructor;
    /** One class per provider instance, so its prototype can be changed for that provider only. */
    readonly IdToken: { prototype: IdTokenModel };
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    on(event: 'server_error', listener: (ctx: KoaContextWithOIDC, error: Error) => void): this;
    on(event: 'end_session.success', listener: (ctx: KoaContextWithOIDC) => void): this;
    on(
      event: 'authorization.success' | 'grant.success',
      listener: (ctx: KoaContextWithOIDC) => void,
    ): this;
  }

  export const errors: {
    InvalidTarget: new (description?: string) => Error;
  };

  export const interactionPolicy: {
    base(): InteractionPolicy;
    Prompt: new (options: { name: string; requestable: boolean }) => Prompt;
    Check: new (
      reason: string,
      description: string,
      error: string,
      check: (ctx: KoaContextWithOIDC) => boolean | Promise<boolean>,
    ) => Check;
  };

  export default Provider;
}
