import type { ClientMetadata } from 'oidc-provider';

export interface ClientUris {
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  /**
   * The dashboard's *Initiate login URL*: where Scalekit sends a browser that must start a sign-in
   * at the app (after an invitation is accepted, a password reset; docs:
   * guides/dashboard/intitate-login-endpoint). One per application; the last registered wins.
   */
  initiateLoginUri?: string;
}

/**
 * The one application registered with the issuer. Its URIs change at run time (each app under test
 * registers its own callback), which is why it is served through the adapter rather than
 * oidc-provider's static `clients` list.
 */
export class ClientRegistry {
  readonly #redirectUris = new Set<string>();
  readonly #postLogoutRedirectUris = new Set<string>();
  #initiateLoginUri: string | undefined;

  constructor(
    readonly clientId: string,
    readonly clientSecret: string,
    readonly backchannelLogoutUri: string | undefined,
    uris: ClientUris,
  ) {
    this.register(uris);
  }

  /** Adds URIs as given: oidc-provider compares them to the request's by exact string. */
  register({ redirectUris = [], postLogoutRedirectUris = [], initiateLoginUri }: ClientUris): void {
    for (const uri of redirectUris) this.#redirectUris.add(absoluteUrl(uri));
    for (const uri of postLogoutRedirectUris) this.#postLogoutRedirectUris.add(absoluteUrl(uri));
    if (initiateLoginUri !== undefined) this.#initiateLoginUri = absoluteUrl(initiateLoginUri);
  }

  get initiateLoginUri(): string | undefined {
    return this.#initiateLoginUri;
  }

  uris(): ClientUris & Required<Omit<ClientUris, 'initiateLoginUri'>> {
    return {
      redirectUris: [...this.#redirectUris],
      postLogoutRedirectUris: [...this.#postLogoutRedirectUris],
      initiateLoginUri: this.#initiateLoginUri,
    };
  }

  metadata(): ClientMetadata {
    return {
      client_id: this.clientId,
      client_secret: this.clientSecret,
      redirect_uris: [...this.#redirectUris],
      post_logout_redirect_uris: [...this.#postLogoutRedirectUris],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      ...(this.backchannelLogoutUri && {
        backchannel_logout_uri: this.backchannelLogoutUri,
        backchannel_logout_session_required: true,
      }),
    };
  }
}

function absoluteUrl(uri: string): string {
  if (!URL.canParse(uri)) throw new TypeError(`not an absolute URL: ${uri}`);
  return uri;
}
