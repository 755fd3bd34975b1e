import { randomBytes } from 'node:crypto';
import { freePort } from '../../support/free-port';
import { startIssuer, type IssuerOptions, type RunningIssuer } from '../../tools/scalekit-stand-in';
import { WebhookSender } from '../../tools/scalekit-stand-in/webhooks';

export interface AppEnvironment {
  issuer: RunningIssuer;
  port: number;
  appUrl: string;
  /** What the app under test is configured with: the stand-in's values, a fresh secret. */
  values: {
    SCALEKIT_ENV_URL: string;
    SCALEKIT_CLIENT_ID: string;
    SCALEKIT_CLIENT_SECRET: string;
    APP_URL: string;
    SESSION_COOKIE_SECRET: string;
    SCALEKIT_WEBHOOK_SECRET: string;
  };
}

/**
 * A local Scalekit stand-in for an app about to be served on a free port of 127.0.0.1, with that
 * app's callback and post-logout URLs and its webhook endpoint registered, and the configuration
 * that app needs.
 */
export async function appEnvironment(options: IssuerOptions = {}): Promise<AppEnvironment> {
  const issuer = await startIssuer(options);
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  issuer.registerClientUris({
    redirectUris: [`${appUrl}/api/callback`],
    postLogoutRedirectUris: [`${appUrl}/auth/signed-out`],
  });
  const webhookSecret = WebhookSender.newSecret();
  issuer.webhooks.register(`${appUrl}/api/webhooks/scalekit`, webhookSecret);
  return {
    issuer,
    port,
    appUrl,
    values: {
      SCALEKIT_ENV_URL: issuer.url,
      SCALEKIT_CLIENT_ID: issuer.clientId,
      SCALEKIT_CLIENT_SECRET: issuer.clientSecret,
      APP_URL: appUrl,
      SESSION_COOKIE_SECRET: randomBytes(32).toString('base64url'),
      SCALEKIT_WEBHOOK_SECRET: webhookSecret,
    },
  };
}
