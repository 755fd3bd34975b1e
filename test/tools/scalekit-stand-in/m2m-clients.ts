import type { ClientMetadata } from 'oidc-provider';

/**
 * The audience the stand-in's M2M client is registered with: a Scalekit M2M client lists the APIs
 * it calls in its `audience` (POST /api/v1/organizations/{id}/clients, `audience: [...]`), and
 * the app reads it as `SCALEKIT_API_AUDIENCE`.
 */
export const M2M_AUDIENCE = 'https://api.local.test';

/**
 * An M2M client of an organization, as Scalekit registers one (developer docs,
 * src/content/docs/guides/m2m/scopes.mdx and m2m/quickstart.mdx): an `m2morg_…` id and a secret,
 * the organization it belongs to, the scopes every token it gets carries, and its audience.
 */
export interface M2mClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly organizationId: string;
  readonly scopes: readonly string[];
  readonly audience: readonly string[];
}

/** The stand-in's one M2M client: a reporting service of Acme. Local values, known to the tests. */
export const M2M_CLIENT: M2mClient = {
  clientId: 'm2morg_local_reports',
  clientSecret: 'local-m2m-secret-not-for-production',
  organizationId: 'org_acme0001',
  scopes: ['reports:read'],
  audience: [M2M_AUDIENCE],
};

/** The registered M2M client with this id, if any. */
export function findM2mClient(clientId: string | undefined): M2mClient | undefined {
  return clientId === M2M_CLIENT.clientId ? M2M_CLIENT : undefined;
}

/** oidc-provider's view of an M2M client: the client-credentials grant only. */
export function m2mClientMetadata(client: M2mClient): ClientMetadata {
  return {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    post_logout_redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_post',
  };
}
