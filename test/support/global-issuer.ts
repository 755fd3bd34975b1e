import type { TestProject } from 'vitest/node';
import { startIssuer } from '../tools/scalekit-stand-in';

/** Where test apps live; the issuer accepts these URIs from the start. */
const APP_URL = 'http://127.0.0.1:3999';

/** One local Scalekit stand-in per project run; suites find it through `inject('issuerUrl')`. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const issuer = await startIssuer({
    redirectUris: [`${APP_URL}/api/callback`],
    postLogoutRedirectUris: [`${APP_URL}/auth/signed-out`],
  });
  project.provide('issuerUrl', issuer.url);
  project.provide('clientId', issuer.clientId);
  project.provide('clientSecret', issuer.clientSecret);
  return () => issuer.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    issuerUrl: string;
    clientId: string;
    clientSecret: string;
  }
}
