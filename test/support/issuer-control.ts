import type { JWTPayload, JWSHeaderParameters } from 'jose';
import type { TokenMode, WebhookDelivery } from '../tools/scalekit-stand-in';

/**
 * The local issuer's `/__control` API over HTTP, usable from any runtime (the edge-runtime VM
 * cannot hold the issuer object itself).
 */
export function issuerControl(issuerUrl: string) {
  const call = async <T>(path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${issuerUrl}/__control/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`issuer control ${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  };
  return {
    counts: () => call<Record<string, number>>('counts'),
    resetCounts: () => call<unknown>('reset-counts', {}),
    rotateKeys: () => call<{ kid: string }>('rotate-keys', {}),
    setFault: (
      endpoint: 'keys' | 'token' | 'logout' | 'management',
      mode: 'error' | 'hang' | 'slow' | null,
      delayMs?: number,
    ) => call<unknown>('fault', { endpoint, mode, delayMs }),
    setAccessTokenTtl: (seconds: number) => call<unknown>('ttl', { seconds }),
    /** Shifts the issuer's HTTP `Date` header by `seconds` (0 restores it). */
    setDateSkew: (seconds: number) => call<unknown>('date-skew', { seconds }),
    /** Shapes tokens issued from now on (`{}` restores the usual ones). */
    setTokenMode: (mode: TokenMode) => call<unknown>('token-mode', mode),
    /** Sends Scalekit's webhooks to `url` too, signed with `secret` (`whsec_…`). */
    registerWebhook: (url: string, secret: string) => call<unknown>('webhooks', { url, secret }),
    /** Invites `email` to an organization as an admin would; answers the invitation link. */
    invite: (organizationId: string, email: string, roles?: string[]) =>
      call<{ userId: string; token: string; url: string }>('invitations', {
        organizationId,
        email,
        roles,
      }),
    /** The pending invitations: the links the stand-in records instead of emailing them. */
    invitations: () =>
      call<Array<{ email: string; organizationId: string; userId: string; url: string }>>(
        'invitations',
      ),
    /** Registers the app's initiate-login URL (its `/login`). */
    setInitiateLoginUri: (initiateLoginUri: string) =>
      call<unknown>('client', { initiateLoginUri }),
    /** Every webhook delivery so far, oldest first. */
    webhookDeliveries: () => call<WebhookDelivery[]>('webhook-deliveries'),
    /** Every webhook delivery, once the one at `index` (oldest first) has settled. */
    settledWebhookDeliveries: (index: number) =>
      call<WebhookDelivery[]>('webhook-deliveries/settled', { index }),
    sign: async (payload: JWTPayload, header?: JWSHeaderParameters) =>
      (await call<{ token: string }>('sign', { payload, header })).token,
  };
}

export type IssuerControl = ReturnType<typeof issuerControl>;
