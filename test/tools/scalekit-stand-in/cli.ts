// `npm run issuer`: the local Scalekit stand-in for `npm run dev` and manual testing.
// PORT (default 4455), ISSUER_REDIRECT_URIS and ISSUER_POST_LOGOUT_URIS (comma-separated),
// ISSUER_INITIATE_LOGIN_URI (the app's /login), and
// ISSUER_CLIENT_ID / ISSUER_CLIENT_SECRET to keep the credentials stable across restarts.
import { startIssuer } from '.';

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

const issuer = await startIssuer({
  port: Number(process.env.PORT ?? 4455),
  clientId: process.env.ISSUER_CLIENT_ID || undefined,
  clientSecret: process.env.ISSUER_CLIENT_SECRET || undefined,
  redirectUris: list(process.env.ISSUER_REDIRECT_URIS),
  postLogoutRedirectUris: list(process.env.ISSUER_POST_LOGOUT_URIS),
  initiateLoginUri: process.env.ISSUER_INITIATE_LOGIN_URI || undefined,
});

console.log(`Local Scalekit issuer at ${issuer.url}`);
console.log(`client_id=${issuer.clientId} client_secret=${issuer.clientSecret}`);

const stop = () => {
  issuer.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
