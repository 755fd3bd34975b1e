// `npm run dev`: with no Scalekit environment configured, runs the app against the local
// Scalekit stand-in; otherwise it is plain `next dev`. The app itself has no fake mode: it only
// ever sees SCALEKIT_ENV_URL and friends.
import nextEnv from '@next/env';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { startIssuer, type RunningIssuer } from './scalekit-stand-in';
import { WebhookSender } from './scalekit-stand-in/webhooks';
import { M2M_AUDIENCE } from './scalekit-stand-in/m2m-clients';

const require = createRequire(import.meta.url);
const nextBin = require.resolve('next/dist/bin/next');

nextEnv.loadEnvConfig(process.cwd(), true);

const port = Number(process.env.PORT ?? 3000);
let issuer: RunningIssuer | undefined;
const env: NodeJS.ProcessEnv = { ...process.env };

if (!process.env.SCALEKIT_ENV_URL) {
  const appUrl = process.env.APP_URL ?? `http://localhost:${port}`;
  const webhookSecret = WebhookSender.newSecret();
  issuer = await startIssuer({
    port: Number(process.env.ISSUER_PORT ?? 4455),
    redirectUris: [`${appUrl}/api/callback`],
    postLogoutRedirectUris: [`${appUrl}/auth/signed-out`],
    initiateLoginUri: `${appUrl}/login`,
    webhookEndpoints: [{ url: `${appUrl}/api/webhooks/scalekit`, secret: webhookSecret }],
  });
  Object.assign(env, {
    SCALEKIT_ENV_URL: issuer.url,
    SCALEKIT_CLIENT_ID: issuer.clientId,
    SCALEKIT_CLIENT_SECRET: issuer.clientSecret,
    APP_URL: appUrl,
    SESSION_COOKIE_SECRET:
      process.env.SESSION_COOKIE_SECRET ?? randomBytes(32).toString('base64url'),
    SCALEKIT_WEBHOOK_SECRET: webhookSecret,
    // The stand-in's M2M client's audience: its bearer tokens reach /api/protected/reports.
    SCALEKIT_API_AUDIENCE: M2M_AUDIENCE,
  });
  console.log(
    `No SCALEKIT_ENV_URL set: using the local Scalekit stand-in at ${issuer.url} ` +
      `(test users, throwaway session secret). Open ${appUrl}/dashboard to sign in.`,
  );
}

const next = spawn(process.execPath, [nextBin, 'dev', '--port', String(port)], {
  env,
  stdio: 'inherit',
});

const stop = (signal: NodeJS.Signals) => {
  next.kill(signal);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
next.on('exit', (code, signal) => {
  void (issuer?.close() ?? Promise.resolve()).then(() => {
    process.exit(code ?? (signal ? 1 : 0));
  });
});
