import { createHash, randomBytes } from 'node:crypto';
import { ScalekitClient } from '@scalekit-sdk/node';
import { expect } from 'vitest';
import {
  IssuerBrowser,
  type LoginChoice,
  type LoginOptions,
} from '../tools/scalekit-stand-in/browser';
import { startIssuer, type RunningIssuer } from '../tools/scalekit-stand-in';

// The hosted login as an app drives it with the real Scalekit SDK, shared by the conformance tests
// of the stand-in.

export const APP_URL = 'http://127.0.0.1:3999';
export const REDIRECT_URI = `${APP_URL}/api/callback`;
export const POST_LOGOUT_URI = `${APP_URL}/logout/done`;
export const OFFLINE_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

export const random = () => randomBytes(16).toString('base64url');

export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Starts an issuer with the test app registered and a Scalekit SDK client pointed at it. */
export async function issuerWithSdk(): Promise<{
  issuer: RunningIssuer;
  scalekit: ScalekitClient;
}> {
  const issuer = await startIssuer({
    redirectUris: [REDIRECT_URI],
    postLogoutRedirectUris: [POST_LOGOUT_URI],
  });
  return { issuer, scalekit: new ScalekitClient(issuer.url, issuer.clientId, issuer.clientSecret) };
}

/** What the app passes to `getAuthorizationUrl`, plus the browser that runs the hosted pages. */
export interface SignInOptions extends LoginOptions {
  browser?: IssuerBrowser;
  scopes?: string[];
  prompt?: string;
  organizationId?: string;
  loginHint?: string;
}

/** The whole hosted login as the app runs it: authorization URL, issuer pages, code exchange. */
export function signIn(scalekit: ScalekitClient, user: LoginChoice, options: SignInOptions = {}) {
  return authorize(scalekit, options, (browser, url) =>
    browser.login(url, user, { organization: options.organization }),
  );
}

/** A sign-in on the issuer session `browser` already has: it must not ask who signs in. */
export function signInAgain(
  scalekit: ScalekitClient,
  browser: IssuerBrowser,
  options: Omit<SignInOptions, 'browser'> = {},
) {
  return authorize(scalekit, { ...options, browser }, (session, url) =>
    session.continueSession(url, { organization: options.organization }),
  );
}

async function authorize(
  scalekit: ScalekitClient,
  options: SignInOptions,
  run: (browser: IssuerBrowser, authorizeUrl: string) => Promise<URL>,
) {
  const { browser = new IssuerBrowser(), scopes = OFFLINE_SCOPES } = options;
  const { verifier, challenge } = pkcePair();
  const state = random();
  const nonce = random();
  const authorizeUrl = scalekit.getAuthorizationUrl(REDIRECT_URI, {
    scopes,
    state,
    nonce,
    prompt: options.prompt,
    organizationId: options.organizationId,
    loginHint: options.loginHint,
    codeChallenge: challenge,
    codeChallengeMethod: 'S256',
  });
  const callback = await run(browser, authorizeUrl);
  expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
  expect(callback.searchParams.get('state')).toBe(state);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code in ${callback.href}`);
  const tokens = await scalekit.authenticateWithCode(code, REDIRECT_URI, {
    codeVerifier: verifier,
  });
  return { ...tokens, browser, nonce, code, verifier };
}

/** A raw token request, to see the HTTP status and error the SDK hides. */
export async function tokenRequest(issuer: RunningIssuer, params: Record<string, string>) {
  const response = await fetch(`${issuer.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: issuer.clientId,
      client_secret: issuer.clientSecret,
      ...params,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** One call to the issuer's HTTP controls: GET without a body, POST with one. */
export async function control(issuer: RunningIssuer, path: string, body?: unknown) {
  const response = await fetch(`${issuer.url}/__control/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
