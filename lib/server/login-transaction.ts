import 'server-only';
import { base64url } from 'jose';
import type { EdgeConfig } from '@/lib/edge/config';
import { seal, unseal } from '@/lib/edge/seal';
import {
  cookieName,
  cookieOptions,
  TRANSACTION_MAX_AGE_SECONDS,
  type CookieSink,
} from '@/lib/edge/session-cookies';

/** What /login remembers until the callback: everything needed to finish that one sign-in. */
export interface LoginTransaction {
  readonly state: string;
  readonly codeVerifier: string;
  readonly nonce: string;
  readonly returnTo: string;
  readonly createdAt: number;
  /**
   * This app asked Scalekit to force a fresh authentication (`prompt=login`). Only this, or an
   * `auth_time`, may make the callback record "signed in now" (lib/server/sign-in-time.ts).
   */
  readonly forced: boolean;
  /**
   * The person already signed in here and when, unless this sign-in forces a fresh one
   * (`prompt=login`): a sign-in Scalekit may complete from its own session (an organization
   * switch) keeps that time instead of passing for a fresh one.
   */
  readonly previousSignIn?: { readonly sub: string; readonly signedInAt: number };
}

type Config = Pick<EdgeConfig, 'secureCookies' | 'sessionSecrets' | 'sessionMaxAgeSeconds'>;

/** Pending sign-ins kept at once (one per tab); the oldest is dropped beyond this. */
const MAX_PENDING_TRANSACTIONS = 3;

interface CookieList {
  getAll(): Array<{ name: string; value: string }>;
}

/** Random base64url of `bytes` bytes. */
export function randomToken(bytes = 32): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** The PKCE S256 challenge of a verifier. */
export async function pkceChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url.encode(new Uint8Array(digest));
}

/**
 * Each pending sign-in has its own cookie, named after a hash of its state, so two tabs signing in
 * at once never overwrite each other, and the callback can delete exactly its own.
 */
async function transactionCookieName(state: string, config: Config): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(state));
  return `${cookieName('transaction', config)}_${base64url.encode(new Uint8Array(digest).slice(0, 12))}`;
}

/**
 * Starts a transaction: a fresh state, PKCE verifier and nonce, sealed in a 10-minute cookie, with
 * whether this sign-in was forced and who was signed in before (`origin`).
 */
export async function createTransaction(
  returnTo: string,
  sink: CookieSink,
  existing: CookieList,
  config: Config,
  origin: Pick<LoginTransaction, 'forced' | 'previousSignIn'> = { forced: false },
): Promise<LoginTransaction> {
  const transaction: LoginTransaction = {
    state: randomToken(32),
    codeVerifier: randomToken(32),
    nonce: randomToken(24),
    returnTo,
    createdAt: Date.now(),
    forced: origin.forced,
    ...(origin.previousSignIn ? { previousSignIn: origin.previousSignIn } : {}),
  };
  const options = cookieOptions('transaction', config);
  const pending = await pendingTransactions(existing, config);
  for (const stale of pending.slice(
    0,
    Math.max(0, pending.length - (MAX_PENDING_TRANSACTIONS - 1)),
  )) {
    sink.set(stale.name, '', { ...options, maxAge: 0 });
  }
  const sealed = await seal(JSON.stringify(transaction), 'transaction', config.sessionSecrets);
  sink.set(await transactionCookieName(transaction.state, config), sealed, options);
  return transaction;
}

/**
 * Takes the transaction for `state` out of the request: returns it (or null when there is none)
 * and always expires its cookie. States are compared in constant time.
 */
export async function takeTransaction(
  state: string,
  cookies: { get(name: string): { value: string } | undefined },
  sink: CookieSink,
  config: Config,
): Promise<LoginTransaction | null> {
  const name = await transactionCookieName(state, config);
  const sealed = cookies.get(name)?.value;
  if (!sealed) return null;
  sink.set(name, '', { ...cookieOptions('transaction', config), maxAge: 0 });
  const transaction = parseTransaction(await unseal(sealed, 'transaction', config.sessionSecrets));
  if (!transaction || !constantTimeEqual(transaction.state, state)) return null;
  if (Date.now() - transaction.createdAt > TRANSACTION_MAX_AGE_SECONDS * 1000) return null;
  return transaction;
}

/** True when the request carries any pending sign-in cookie at all. */
export function hasPendingTransactions(cookies: CookieList, config: Config): boolean {
  const prefix = `${cookieName('transaction', config)}_`;
  return cookies.getAll().some((cookie) => cookie.name.startsWith(prefix));
}

async function pendingTransactions(cookies: CookieList, config: Config) {
  const prefix = `${cookieName('transaction', config)}_`;
  const found: Array<{ name: string; createdAt: number }> = [];
  for (const cookie of cookies.getAll()) {
    if (!cookie.name.startsWith(prefix)) continue;
    const transaction = parseTransaction(
      await unseal(cookie.value, 'transaction', config.sessionSecrets),
    );
    found.push({ name: cookie.name, createdAt: transaction?.createdAt ?? 0 });
  }
  return found.sort((a, b) => a.createdAt - b.createdAt);
}

function parseTransaction(json: string | null): LoginTransaction | null {
  if (json === null) return null;
  try {
    const value = JSON.parse(json) as Record<string, unknown>;
    const { state, codeVerifier, nonce, returnTo, createdAt } = value;
    const previous = value.previousSignIn as Record<string, unknown> | undefined;
    const previousSignIn =
      typeof previous?.sub === 'string' && typeof previous.signedInAt === 'number'
        ? { sub: previous.sub, signedInAt: previous.signedInAt }
        : undefined;
    if (
      typeof state === 'string' &&
      typeof codeVerifier === 'string' &&
      typeof nonce === 'string' &&
      typeof returnTo === 'string' &&
      typeof createdAt === 'number'
    ) {
      return {
        state,
        codeVerifier,
        nonce,
        returnTo,
        createdAt,
        // A transaction sealed before this field existed forced nothing that can be shown.
        forced: value.forced === true,
        ...(previousSignIn ? { previousSignIn } : {}),
      };
    }
  } catch {
    // Unparsable: no transaction.
  }
  return null;
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
