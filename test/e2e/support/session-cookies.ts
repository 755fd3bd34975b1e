import { decodeJwt } from 'jose';
import type { BrowserContext } from 'playwright-core';
import { inject } from 'vitest';
import { seal, unseal } from '@/lib/edge/seal';
import { APP_URL, issuer } from './browser';

/** The e2e app's SESSION_COOKIE_SECRET (global-setup.ts made it). */
const secrets = () => [inject('sessionSecret')];

async function cookie(context: BrowserContext, name: string) {
  const found = (await context.cookies(APP_URL)).find((c) => c.name === name);
  if (!found) throw new Error(`the browser holds no ${name}`);
  return found;
}

/** Rewrites one sealed session cookie in the browser, keeping its attributes. */
async function rewrite(
  context: BrowserContext,
  name: 'sk_access' | 'sk_id',
  change: (plaintext: string) => Promise<string>,
) {
  const purpose = name === 'sk_access' ? 'access' : 'id';
  const current = await cookie(context, name);
  const plaintext = await unseal(current.value, purpose, secrets());
  if (plaintext === null) throw new Error(`${name} does not open`);
  await context.addCookies([
    { ...current, value: await seal(await change(plaintext), purpose, secrets()) },
  ]);
}

/** Moves the recorded sign-in time back by `ms`, as if the person had signed in that long ago. */
export function ageSignIn(context: BrowserContext, ms: number): Promise<void> {
  return rewrite(context, 'sk_id', async (json) => {
    const record = JSON.parse(json) as { signedInAt: number };
    return JSON.stringify({ ...record, signedInAt: record.signedInAt - ms });
  });
}

/** The sign-in time the browser's session records, ms since the epoch. */
export async function signedInAt(context: BrowserContext): Promise<number> {
  const value = await unseal((await cookie(context, 'sk_id')).value, 'id', secrets());
  return (JSON.parse(value!) as { signedInAt: number }).signedInAt;
}

/**
 * Replaces the access token with the same one, re-signed by the stand-in's key with an `exp` a
 * minute ago: what the browser holds once the token expired, without waiting for it.
 */
export function expireAccessToken(context: BrowserContext): Promise<void> {
  return rewrite(context, 'sk_access', async (token) => {
    const now = Math.floor(Date.now() / 1000);
    return issuer.sign(
      { ...decodeJwt(token), iat: now - 360, nbf: now - 360, exp: now - 60 },
      { typ: 'JWT' },
    );
  });
}

/** The access token's claims as the browser holds them. */
export async function accessClaims(context: BrowserContext) {
  const token = await unseal((await cookie(context, 'sk_access')).value, 'access', secrets());
  return decodeJwt(token!);
}
