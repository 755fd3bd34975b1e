import 'server-only';
import { edgeConfig, type EdgeConfig } from '@/lib/edge/config';
import { AuthError } from '@/lib/edge/errors';

/** The Node side's configuration: the Edge's plus the Scalekit client secret. */
export interface ServerConfig extends EdgeConfig {
  readonly clientSecret: string;
  /** Bounds every call the SDK makes to Scalekit, so a hung token endpoint is a transient error. */
  readonly scalekitTimeoutMs: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the server-only secrets. Upstash's variables are read where the store is created
 * (`lib/edge/store`), since the Edge needs them too for strict revocation.
 *
 * @example
 * const { clientSecret } = readServerSecrets(process.env);
 */
export function readServerSecrets(
  env: Env,
): Pick<ServerConfig, 'clientSecret' | 'scalekitTimeoutMs'> {
  const clientSecret = env.SCALEKIT_CLIENT_SECRET?.trim();
  if (!clientSecret) {
    throw new AuthError(
      'config_invalid',
      'SCALEKIT_CLIENT_SECRET is missing. Example: SCALEKIT_CLIENT_SECRET=test_abc123… (Dashboard > Developers > API Credentials)',
    );
  }
  const timeout = env.SCALEKIT_TIMEOUT_MS?.trim();
  if (timeout && !/^\d{3,6}$/.test(timeout)) {
    throw new AuthError(
      'config_invalid',
      'SCALEKIT_TIMEOUT_MS must be a whole number of milliseconds (100 or more). Example: SCALEKIT_TIMEOUT_MS=8000',
    );
  }
  return { clientSecret, scalekitTimeoutMs: timeout ? Number(timeout) : 8_000 };
}

let cached: ServerConfig | undefined;

/** The process's full configuration, validated on first use. */
export function serverConfig(): ServerConfig {
  cached ??= { ...edgeConfig(), ...readServerSecrets(process.env) };
  return cached;
}

/**
 * `<APP_URL>/api/callback`: register it in the Scalekit dashboard as an allowed callback URL.
 * `npm run doctor` passes the `APP_URL` it checks.
 */
export function callbackUrl(appUrl = serverConfig().appUrl): string {
  return `${appUrl}/api/callback`;
}

/** `<APP_URL>/auth/signed-out`: register it as a post-logout URL. */
export function postLogoutUrl(): string {
  return `${serverConfig().appUrl}/auth/signed-out`;
}

/**
 * `SCALEKIT_WEBHOOK_SECRET`, the signing secret of this app's webhook endpoint (Dashboard >
 * Webhooks: `whsec_…`). Read when a webhook arrives: an app that registers no endpoint needs none.
 */
export function webhookSecret(env: Env = process.env): string {
  const secret = env.SCALEKIT_WEBHOOK_SECRET?.trim();
  if (!secret || !/^whsec_[A-Za-z0-9+/]+=*$/.test(secret)) {
    throw new AuthError(
      'config_invalid',
      `SCALEKIT_WEBHOOK_SECRET is ${secret ? 'not a whsec_… secret' : 'missing'}. Example: SCALEKIT_WEBHOOK_SECRET=whsec_… (Dashboard > Webhooks > your endpoint)`,
    );
  }
  return secret;
}
