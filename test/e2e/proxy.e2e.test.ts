import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seal, unseal } from '@/lib/edge/seal';
import { mintSession } from '../kit/mint-session';
import { standInSigner } from '../kit/signers';
import type { CookieJar } from '../support/cookie-jar';
import type { RunningIssuer } from '../tools/scalekit-stand-in';
import { DOCUMENT, send, signInOverHttp } from './support/http-session';
import type { NextServer } from './support/next-process';
import { serveProductCopy } from './support/served-copy';

/**
 * The same protection as a Node `proxy.ts`: the product copied with its one documented switch
 * applied (`middleware.ts` renamed to `proxy.ts`, nothing else), built and served, then checked
 * from the outside.
 */
let issuer: RunningIssuer;
let app: NextServer;
let secret: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  const served = await serveProductCopy(async (dir) => {
    await rename(join(dir, 'middleware.ts'), join(dir, 'proxy.ts'));
    expect(existsSync(join(dir, 'middleware.ts'))).toBe(false);
  });
  ({ app, issuer, secret, stop } = served);
}, 600_000);

afterAll(async () => {
  await stop?.();
});

/** Re-signs the jar's access token with an `exp` a minute ago: an expired but genuine session. */
async function expire(jar: CookieJar) {
  const cookie = jar.get('sk_access')!;
  const token = (await unseal(cookie.value, 'access', [secret]))!;
  const now = Math.floor(Date.now() / 1000);
  const expired = await issuer.signJwt(
    { ...decodeJwt(token), iat: now - 360, nbf: now - 360, exp: now - 60 },
    { typ: 'JWT' },
  );
  cookie.value = await seal(expired, 'access', [secret]);
}

/** Where a redirect goes, absolute (Next on Node sends same-origin Locations relative). */
const location = (response: Response) => new URL(response.headers.get('location')!, app.url).href;

describe('the protection as a Node proxy.ts', () => {
  it('proxy.ts: fails closed on a cold start while /keys is down, and verifies once it answers', async () => {
    const session = await mintSession({
      signer: standInSigner(issuer.url, issuer.clientId),
      secret,
    });
    issuer.setFault('keys', 'error');
    try {
      const down = await send(`${app.url}/api/protected/me`, {
        headers: { cookie: session.cookieHeader('/api/protected/me') },
      });
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ error: 'jwks_unavailable' });
    } finally {
      issuer.setFault('keys', null);
    }
    const up = await send(`${app.url}/api/protected/me`, {
      headers: { cookie: session.cookieHeader('/api/protected/me') },
    });
    expect(up.status).toBe(200);
  });

  it('proxy.ts: sends a signed-out document to sign-in', async () => {
    const response = await send(`${app.url}/dashboard/admin?tab=2`, { headers: DOCUMENT });
    expect(response.status).toBe(303);
    expect(location(response)).toBe(`${app.url}/login?returnTo=%2Fdashboard%2Fadmin%3Ftab%3D2`);
  });

  it('proxy.ts: lets a valid session through to the page', async () => {
    const { jar, landed } = await signInOverHttp(app.url, '/dashboard');
    expect(landed).toBe(`${app.url}/dashboard`);
    const page = await send(`${app.url}/dashboard`, { jar, headers: DOCUMENT });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('admin@acme.test');
  });

  it('proxy.ts: renews an expired token for a document and comes back', async () => {
    const { jar } = await signInOverHttp(app.url, '/dashboard');
    await expire(jar);
    const expired = await send(`${app.url}/dashboard`, { jar, headers: DOCUMENT });
    expect(expired.status).toBe(307);
    const refresh = location(expired);
    expect(refresh).toBe(`${app.url}/api/refresh?returnTo=%2Fdashboard`);
    const back = await send(refresh, { jar, headers: DOCUMENT });
    expect(back.status).toBe(303);
    expect(location(back)).toBe(`${app.url}/dashboard`);
    const page = await send(`${app.url}/dashboard`, { jar, headers: DOCUMENT });
    expect(page.status).toBe(200);
  });

  it('proxy.ts: answers an API call with an expired token 401 token_expired', async () => {
    const { jar } = await signInOverHttp(app.url, '/dashboard');
    await expire(jar);
    const response = await send(`${app.url}/api/protected/me`, { jar });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'token_expired' });
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });
});
