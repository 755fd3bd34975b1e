import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateKeyPair, SignJWT, type JWSHeaderParameters, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaders } from '@/lib/config/security-headers';
import { config as middlewareConfig } from '@/middleware';
import { mintSession, type Signer } from '../kit/mint-session';
import { throwawayKeySet, type ThrowawayKeySet } from '../kit/throwaway-key-set';
import { NODE_ONLY_PACKAGES } from '../support/edge-bundle';
import { EDGE_NODE_MODULES, loadEdgeFunction, type EdgeFunction } from './support/edge-function';
import { vercelBuild, type VercelBuild } from './support/vercel-build';

const APP_URL = 'https://app.example.test';
const CLIENT_ID = 'skc_vercel_build';
/** Where a refused document goes: Next's adapter makes a same-origin redirect relative. */
const SIGN_IN = '/login?returnTo=%2Fdashboard';
/**
 * Vercel's limit for an Edge function, after gzip: Hobby 1 MB, Pro 2 MB, Enterprise 4 MB
 * (vercel.com/docs/functions/limitations, "Size (after gzip compression)"; a deployment over it
 * fails with "The Edge Function "middleware" size is … and your plan size limit is 1 MB"). The
 * middleware must fit the smallest plan's.
 */
const EDGE_SIZE_LIMIT_BYTES = 1024 * 1024;
/** Every route that signs in, signs out or refreshes: each uses the Scalekit SDK, Node only. */
const AUTH_ROUTES = [
  '/login',
  '/logout',
  '/api/callback',
  '/api/refresh',
  '/api/backchannel-logout',
  '/api/session',
  '/api/webhooks/scalekit',
];

interface VcConfig {
  runtime: string;
  entrypoint?: string;
  handler?: string;
}

interface Route {
  src?: string;
  headers?: Record<string, string>;
  continue?: boolean;
  middlewarePath?: string;
  middlewareRawSrc?: string[];
}

describe('vercel build', () => {
  let keys: ThrowawayKeySet;
  let build: VercelBuild;
  let middleware: EdgeFunction;
  let appEnv: Record<string, string>;
  let routes: Route[];
  const functions = () => join(build.outputDir, 'functions');
  const vcConfig = (name: string) =>
    JSON.parse(readFileSync(join(functions(), `${name}.func/.vc-config.json`), 'utf8')) as VcConfig;

  beforeAll(async () => {
    // The Scalekit environment the built app trusts: a key of the test's own, served on loopback.
    keys = await throwawayKeySet({ clientId: CLIENT_ID });
    appEnv = {
      SCALEKIT_ENV_URL: keys.issuer,
      SCALEKIT_CLIENT_ID: CLIENT_ID,
      SCALEKIT_CLIENT_SECRET: 'test_vercel_build_client_secret',
      APP_URL,
      SESSION_COOKIE_SECRET: randomBytes(32).toString('base64url'),
    };
    build = await vercelBuild(appEnv);
    const install = build.install.skipped ? 'current' : `${Math.round(build.install.ms / 1000)} s`;
    console.log(
      `[vercel] CLI install: ${install}; vercel build: ${Math.round(build.buildMs / 1000)} s`,
    );
    routes = (
      JSON.parse(readFileSync(join(build.outputDir, 'config.json'), 'utf8')) as { routes: Route[] }
    ).routes;
    middleware = await loadEdgeFunction(join(functions(), 'middleware.func'), build.cliDir, appEnv);
  }, 900_000);

  afterAll(async () => {
    await keys?.close();
  });

  describe('the middleware', () => {
    it('is an Edge function that runs for exactly the paths of the matcher', () => {
      expect(vcConfig('middleware').runtime).toBe('edge');
      const matched = routes.filter((route) => route.middlewarePath === 'middleware');
      expect(matched.flatMap((route) => route.middlewareRawSrc ?? []).sort()).toEqual(
        [...middlewareConfig.matcher].sort(),
      );
    });

    it("fits the smallest plan's Edge size limit, source map included", () => {
      const dir = join(functions(), 'middleware.func');
      const gzipped = readdirSync(dir)
        .map((file) => gzipSync(readFileSync(join(dir, file))).byteLength)
        .reduce((sum, bytes) => sum + bytes, 0);
      expect(gzipped).toBeGreaterThan(10_000);
      expect(gzipped).toBeLessThan(EDGE_SIZE_LIMIT_BYTES);
    });

    it('asks only for the Node modules the Edge runtime provides', () => {
      const code = readFileSync(join(functions(), 'middleware.func/index.js'), 'utf8');
      const required = [...code.matchAll(/\brequire\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]!);
      const builtins = required.filter((name) =>
        builtinModules.includes(name.replace(/^node:/, '')),
      );
      // Next's own request context: the check reads what it claims to read.
      expect(builtins).toContain('node:async_hooks');
      for (const name of builtins) {
        expect(EDGE_NODE_MODULES).toContain(name.replace(/^node:/, ''));
      }
    });

    it('holds no Node-only package and nothing from lib/server, and verifies with WebCrypto', () => {
      const map = JSON.parse(
        readFileSync(join(functions(), 'middleware.func/index.js.map'), 'utf8'),
      ) as { sources: string[] };
      expect(map.sources.some((source) => source.endsWith('lib/edge/protect.ts'))).toBe(true);
      const forbidden = map.sources.filter(
        (source) =>
          NODE_ONLY_PACKAGES.some((name) => source.includes(`node_modules/${name}/`)) ||
          source.includes('lib/server/'),
      );
      expect(forbidden).toEqual([]);
      const jose = map.sources.filter((source) => source.includes('node_modules/jose/'));
      expect(jose.length).toBeGreaterThan(0);
      expect(jose.filter((source) => !source.includes('jose/dist/webapi/'))).toEqual([]);
    });
  });

  describe('the built middleware, run in the Edge runtime', () => {
    const document = {
      accept: 'text/html',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'document',
    };
    const secret = () => appEnv.SESSION_COOKIE_SECRET!;
    const call = async (cookie?: string) => {
      const before = middleware.logLines.length;
      const response = await middleware.fetch(`${APP_URL}/dashboard`, {
        headers: { ...document, ...(cookie ? { cookie } : {}) },
      });
      return { response, lines: middleware.logLines.slice(before) };
    };

    it('redirects a signed-out document to sign-in, coming back to it', async () => {
      const { response, lines } = await call();
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(SIGN_IN);
      expect(response.headers.has('x-middleware-next')).toBe(false);
      expect(lines).toEqual([
        expect.objectContaining({ code: 'unauthenticated', route: '/dashboard', kind: 'document' }),
      ]);
    });

    it('passes a document with a valid session on to the page', async () => {
      const session = await mintSession({ signer: keys, secret: secret(), appUrl: APP_URL });
      const { response, lines } = await call(session.cookieHeader('/dashboard'));
      expect(response.headers.get('x-middleware-next')).toBe('1');
      expect(response.headers.has('location')).toBe(false);
      expect(lines).toEqual([]);
    });

    it('refuses a session whose token another key signed, with the real key id', async () => {
      const session = await mintSession({
        signer: await otherKeySigner(keys),
        secret: secret(),
        appUrl: APP_URL,
      });
      const { response, lines } = await call(session.cookieHeader('/dashboard'));
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(SIGN_IN);
      expect(response.headers.has('x-middleware-next')).toBe(false);
      expect(lines).toEqual([
        expect.objectContaining({ code: 'unauthenticated', route: '/dashboard', kind: 'document' }),
      ]);
    });
  });

  it.each(AUTH_ROUTES)('builds %s as a Node function', (route) => {
    const config = vcConfig(route.slice(1));
    expect(config.runtime).toMatch(/^nodejs\d+\.x$/);
    expect(config.handler).toBeTruthy();
  });

  // App Router pages that render at build time come out as prerenders: their HTML is a file that
  // Vercel serves from its cache, never regenerated (`expiration: false`); the function beside it
  // only answers Server Actions. Only 404/500 go to `static/`.
  it.each([
    ['/', 'index', 'Scalekit hosted login for Next.js'],
    ['/auth/signed-out', 'auth/signed-out', 'You are signed out'],
  ])('prerenders the public page %s to a static HTML file', (_route, name, heading) => {
    const prerender = JSON.parse(
      readFileSync(join(functions(), `${name}.prerender-config.json`), 'utf8'),
    ) as {
      expiration: number | false;
      prerenderClassification?: { compute?: string };
      fallback: { fsPath: string };
    };
    expect(prerender.expiration).toBe(false);
    expect(prerender.prerenderClassification?.compute).toBe('static');
    const html = join(functions(), name.replace(/[^/]+$/, ''), prerender.fallback.fsPath);
    expect(statSync(html).isFile()).toBe(true);
    expect(readFileSync(html, 'utf8')).toContain(heading);
    expect(existsSync(join(build.outputDir, 'static/404.html'))).toBe(true);
  });

  it("sends the app's security headers on every path, from config.json's routes", () => {
    const expected = Object.fromEntries(
      securityHeaders({ APP_URL }).map(({ key, value }) => [key, value]),
    );
    // Served over https: HSTS is among them.
    expect(expected['Strict-Transport-Security']).toBeDefined();
    const route = routes.find((r) => r.headers?.['X-Frame-Options'] !== undefined);
    expect(route?.headers).toEqual(expected);
    expect(route?.continue).toBe(true);
    for (const path of ['/', '/dashboard', '/api/callback', '/auth/signed-out']) {
      expect(new RegExp(route!.src!).test(path)).toBe(true);
    }
  });
});

/** Signs as `keys`' issuer with the real key's id, but with another private key. */
async function otherKeySigner(keys: ThrowawayKeySet): Promise<Signer> {
  const { privateKey } = await generateKeyPair('RS256');
  const jwks = (await (await fetch(`${keys.issuer}/keys`)).json()) as {
    keys: Array<{ kid: string }>;
  };
  const kid = jwks.keys[0]!.kid;
  return {
    issuer: keys.issuer,
    clientId: keys.clientId,
    sign: (payload: JWTPayload, header: JWSHeaderParameters = {}) =>
      new SignJWT(payload).setProtectedHeader({ ...header, alg: 'RS256', kid }).sign(privateKey),
  };
}
