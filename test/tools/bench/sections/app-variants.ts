import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAppCopy, variantDir, type AppVariant } from '../support/app-copy';
import { DOCUMENT_HEADERS } from '../support/document-headers';
import { load, type LoadRun } from '../support/load';
import { startApp, type AppServer } from '../support/next-app';
import type { Services } from '../support/services';
import { signIn } from '../support/sign-in';
import { revokeSubject } from '../../../../lib/server/revocation';
import { createUpstashStore } from '../../../../lib/server/store/upstash-store';
import { M2M_AUDIENCE, M2M_CLIENT } from '../../scalekit-stand-in/m2m-clients';
import { TEST_USERS } from '../../scalekit-stand-in/users';
import { median, ratio } from '../support/stats';

/**
 * Variants of the whole product (support/app-copy.ts builds each in its own directory), measured
 * against the product as it is on the same route, in alternating rounds: what one design choice
 * costs or saves, with everything else equal.
 */

/** The root layout as it was before pages became static: it read the session on every request. */
export const DYNAMIC_HOME: AppVariant = {
  name: 'dynamic-home',
  change: (files) => {
    const layout = 'app/layout.tsx';
    let text = String(files.get(layout));
    const edits: Array<[string, string]> = [
      [
        "import './globals.css';",
        "import { getSessionState } from '@/lib/server/session';\nimport './globals.css';",
      ],
      ['import { SessionProvider }', 'import { SessionProvider, SessionSeed }'],
      ['export default function RootLayout(', 'export default async function RootLayout('],
      ['<SessionProvider>', '<SessionProvider><SessionSeed state={await getSessionState()}>'],
      ['</SessionProvider>', '</SessionSeed></SessionProvider>'],
    ];
    for (const [from, to] of edits) text = replaceOnce(text, from, to, layout);
    files.set(layout, text);
  },
};

/**
 * The protected API routes out of the matcher: guarded only in the handler (`withAuth`,
 * `withSession`), which answers every API failure the middleware would (401 `token_expired`,
 * strict revocation, bearer tokens), while pages stay behind the middleware.
 */
export const HANDLER_ONLY: AppVariant = {
  name: 'handler-only',
  change: (files) => {
    const file = 'middleware.ts';
    files.set(file, replaceOnce(String(files.get(file)), ", '/api/protected/:path*'", '', file));
  },
};

export interface VariantRow {
  id: string;
  /** What the row is, for the report. */
  label: string;
  /** The route and how it is asked for. */
  request: string;
  /** The row this one is compared with (same route, same rounds); undefined for a baseline. */
  baseline?: string;
  runs: LoadRun[];
  median: { rps: number; p50Ms: number; p99Ms: number };
  /** Main-thread CPU of the row's next-server per request (/proc), over all its runs. */
  mainThreadUsPerRequest: number;
  /** Median over rounds of this row's rps over its baseline's in the same round. */
  vsBaseline: number;
}

export interface AppVariantsResult {
  plan: AppVariantsPlan;
  builds: Array<{ name: string; skipped: boolean; ms: number }>;
  /** What each variant was checked to do before it was measured. */
  checks: Array<{ check: string; ok: boolean }>;
  rows: VariantRow[];
  strict: StrictReads;
}

/** What strict revocation asked of the store while its row was measured. */
export interface StrictReads {
  /** How long after a revocation was written to Redis the strict instance first refused it. */
  refusedAfterMs: number;
  /** `MGET`s Redis served during the strict row's runs (no other row reads the list). */
  mgets: number;
  /** Requests and seconds of the strict row's runs. */
  requests: number;
  seconds: number;
}

export interface AppVariantsPlan {
  rounds: number;
  seconds: number;
  connections: number;
  warmupSeconds: number;
}

interface RowPlan {
  id: string;
  label: string;
  request: string;
  baseline?: string;
  app: AppServer;
  path: string;
  headers: Record<string, string>;
}

/**
 * Builds the variants (reused while unchanged), serves each with `next start`, checks that each
 * does what its row claims, then measures every row in `plan.rounds` alternating rounds.
 * `/`: the static home page against the layout that read the session, both for a signed-in
 * visitor (the case the old layout paid for: a session check and a render per request), and the
 * `/api/session` call the static page makes once loaded.
 */
export async function measureAppVariants(
  services: Services,
  baseEnv: Record<string, string>,
  plan: AppVariantsPlan,
): Promise<AppVariantsResult> {
  const upstash = { url: services.upstashUrl, token: services.upstashToken };
  const builds = [
    { name: 'product', ...(await buildAppCopy()) },
    { name: DYNAMIC_HOME.name, ...(await buildAppCopy(DYNAMIC_HOME)) },
    { name: HANDLER_ONLY.name, ...(await buildAppCopy(HANDLER_ONLY)) },
  ];
  const env = { ...baseEnv, SCALEKIT_API_AUDIENCE: M2M_AUDIENCE };
  // Both on the shared Upstash, so the strict row differs from the default by SESSION_REVOCATION.
  const product = await startApp({ name: 'variants-product', baseEnv: env, upstash });
  const strict = await startApp({
    name: 'variants-strict',
    baseEnv: env,
    upstash,
    revocation: 'strict',
  });
  // Strict is compared with a twin in the default mode, started and used as it is: the product
  // instance serves four rows and their checks, and in an A/A run (strict off) an instance serving
  // one row measured 0.92× of it, as large as the difference strict was to be judged by.
  const twin = await startApp({ name: 'variants-default', baseEnv: env, upstash });
  const dynamicHome = await startApp({
    name: 'variants-dynamic-home',
    baseEnv: env,
    dir: variantDir(DYNAMIC_HOME),
  });
  const handlerOnly = await startApp({
    name: 'variants-handler-only',
    baseEnv: env,
    dir: variantDir(HANDLER_ONLY),
  });
  try {
    await services.issuer.registerApp(product.url);
    await services.issuer.registerApp(strict.url);
    await services.issuer.registerApp(twin.url);
    const jar = await signIn(product.url);
    const cookie = jar.header('/');
    const email = 'admin@acme.test';
    const home = { ...DOCUMENT_HEADERS, cookie };
    const html = async (app: AppServer) => (await fetch(`${app.url}/`, { headers: home })).text();
    const checks = [
      {
        check: 'static `/` holds no visitor in its HTML',
        ok: !(await html(product)).includes(email),
      },
      {
        check: 'dynamic `/` renders the signed-in visitor into its HTML',
        ok: (await html(dynamicHome)).includes(email),
      },
    ];
    const api = '/api/protected/reports';
    const authorization = `Bearer ${await machineToken(services)}`;
    const status = async (app: AppServer, headers: Record<string, string>) =>
      (await fetch(`${app.url}${api}`, { headers })).status;
    const matches = (dir: string) => {
      const manifest = JSON.parse(
        readFileSync(join(dir, '.next/server/middleware-manifest.json'), 'utf8'),
      ) as { middleware: Record<string, { matchers: Array<{ originalSource: string }> }> };
      return Object.values(manifest.middleware).some((m) =>
        m.matchers.some((matcher) => matcher.originalSource.startsWith('/api/protected')),
      );
    };
    checks.push(
      { check: "the product's middleware matches `/api/protected`", ok: matches(variantDir()) },
      {
        check: "the handler-only build's middleware does not",
        ok: !matches(variantDir(HANDLER_ONLY)),
      },
    );
    for (const [name, app] of [
      ['middleware', product],
      ['handler only', handlerOnly],
    ] as const) {
      checks.push(
        {
          check: `${name}: \`${api}\` refuses no credential (401)`,
          ok: (await status(app, {})) === 401,
        },
        {
          check: `${name}: it serves a session cookie (200)`,
          ok: (await status(app, { cookie })) === 200,
        },
        {
          check: `${name}: it serves an M2M bearer token (200)`,
          ok: (await status(app, { authorization })) === 200,
        },
      );
    }
    checks.push(
      {
        check: 'strict: it serves a session cookie (200)',
        ok: (await status(strict, { cookie })) === 200,
      },
      {
        check: "strict's twin in the default mode: it serves a session cookie (200)",
        ok: (await status(twin, { cookie })) === 200,
      },
    );
    const refusedAfterMs = await revokedElsewhere(services, strict, api);
    checks.push({
      check: `strict: a session revoked in Redis by another instance is refused within ${STALENESS_BOUND_MS} ms (after ${Math.round(refusedAfterMs)} ms)`,
      ok: refusedAfterMs <= STALENESS_BOUND_MS,
    });
    const failed = checks.filter((c) => !c.ok);
    if (failed.length > 0)
      throw new Error(`app variants: ${failed.map((c) => c.check).join('; ')}`);

    const rows: RowPlan[] = [
      {
        id: 'home-dynamic',
        label: '`/`, root layout reading the session (before)',
        request: 'GET / (document, signed in)',
        app: dynamicHome,
        path: '/',
        headers: home,
      },
      {
        id: 'home-static',
        label: '`/`, static (prerendered; `useSession()` asks `/api/session`)',
        request: 'GET / (document, signed in)',
        baseline: 'home-dynamic',
        app: product,
        path: '/',
        headers: home,
      },
      {
        id: 'session-endpoint',
        label: '`/api/session`, which the static page then asks once (signed in)',
        request: 'GET /api/session (fetch, signed in)',
        baseline: 'home-dynamic',
        app: product,
        path: '/api/session',
        headers: { cookie },
      },
      {
        id: 'api-cookie',
        label: 'protected API route behind the middleware (the default)',
        request: `GET ${api} (session cookie)`,
        app: product,
        path: api,
        headers: { cookie },
      },
      {
        id: 'api-twin',
        label: 'the same, default mode, on a second instance serving only this row',
        request: `GET ${api} (session cookie)`,
        baseline: 'api-cookie',
        app: twin,
        path: api,
        headers: { cookie },
      },
      {
        id: 'api-strict',
        label: 'protected API route behind the middleware, `SESSION_REVOCATION=strict`',
        request: `GET ${api} (session cookie)`,
        baseline: 'api-twin',
        app: strict,
        path: api,
        headers: { cookie },
      },
      {
        id: 'api-bearer',
        label: 'protected API route behind the middleware, M2M bearer token',
        request: `GET ${api} (Authorization: Bearer)`,
        baseline: 'api-cookie',
        app: product,
        path: api,
        headers: { authorization },
      },
      {
        id: 'api-handler-cookie',
        label: 'protected API route outside the matcher, guarded in the handler only',
        request: `GET ${api} (session cookie)`,
        baseline: 'api-cookie',
        app: handlerOnly,
        path: api,
        headers: { cookie },
      },
      {
        id: 'api-handler-bearer',
        label: 'protected API route outside the matcher, M2M bearer token',
        request: `GET ${api} (Authorization: Bearer)`,
        baseline: 'api-bearer',
        app: handlerOnly,
        path: api,
        headers: { authorization },
      },
    ];
    const mgetsBefore = await mgetCount(services);
    const measured = await measureRows(rows, plan);
    const strictRuns = measured.find((row) => row.id === 'api-strict')!.runs;
    return {
      plan,
      builds,
      checks,
      rows: measured,
      strict: {
        refusedAfterMs,
        mgets: (await mgetCount(services)) - mgetsBefore,
        requests: strictRuns.reduce((sum, run) => sum + run.requests, 0),
        seconds: strictRuns.reduce((sum, run) => sum + run.seconds, 0),
      },
    };
  } finally {
    await Promise.all([product, strict, twin, dynamicHome, handlerOnly].map((app) => app.stop()));
  }
}

/**
 * The staleness bound strict revocation promises (lib/edge/recent-reads.ts: an answer is reused
 * for at most 1 s after its read was sent), plus what one request takes on a busy machine.
 */
const STALENESS_BOUND_MS = 1_500;

/**
 * Signs a member in on the strict instance and keeps their session in use, then writes their
 * revocation straight to Redis, as another instance's `/logout` or webhook would (this instance
 * cannot forget its recent answers), and answers how long until the instance refused them.
 */
async function revokedElsewhere(services: Services, app: AppServer, path: string): Promise<number> {
  const cookie = (await signIn(app.url, 'member')).header('/');
  const get = async () => (await fetch(`${app.url}${path}`, { headers: { cookie } })).status;
  if ((await get()) !== 200) throw new Error('strict: the member was not served before revocation');
  // Every token of the member's issued up to now, written as the product writes it; a later
  // sign-in is not covered, and the entry lapses after a minute.
  const store = createUpstashStore({ url: services.upstashUrl, token: services.upstashToken });
  await revokeSubject(store, TEST_USERS.member.id, Math.floor(Date.now() / 1000) + 60);
  const writtenAt = performance.now();
  for (;;) {
    if ((await get()) === 401) return performance.now() - writtenAt;
    if (performance.now() - writtenAt > 10 * STALENESS_BOUND_MS) return Infinity;
  }
}

/** How many `MGET`s Redis has served since it started (`INFO commandstats`). */
async function mgetCount(services: Services): Promise<number> {
  const info = String(await upstash(services, ['info', 'commandstats']));
  return Number(/cmdstat_mget:calls=(\d+)/.exec(info)?.[1] ?? 0);
}

async function upstash(services: Services, command: string[]): Promise<unknown> {
  const response = await fetch(services.upstashUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${services.upstashToken}` },
    body: JSON.stringify(command),
  });
  if (!response.ok) throw new Error(`Upstash ${command[0]}: HTTP ${response.status}`);
  return ((await response.json()) as { result: unknown }).result;
}

async function measureRows(rows: RowPlan[], plan: AppVariantsPlan): Promise<VariantRow[]> {
  const runs = new Map<string, LoadRun[]>(rows.map((row) => [row.id, []]));
  const cpuUs = new Map<string, number>(rows.map((row) => [row.id, 0]));
  const run = (row: RowPlan, duration: number) =>
    load(
      { label: row.id, url: `${row.app.url}${row.path}`, headers: row.headers },
      { connections: plan.connections, duration },
    );
  for (const row of rows) await run(row, plan.warmupSeconds);
  for (let round = 0; round < plan.rounds; round++) {
    const shift = round % rows.length;
    for (const row of [...rows.slice(shift), ...rows.slice(0, shift)]) {
      const before = row.app.cpuUs().mainThread;
      const result = await run(row, plan.seconds);
      cpuUs.set(row.id, cpuUs.get(row.id)! + row.app.cpuUs().mainThread - before);
      if (result.non2xx > 0 || result.errors > 0) {
        throw new Error(
          `${row.id}: ${JSON.stringify(result.statusCodes)}, ${result.errors} errors`,
        );
      }
      runs.get(row.id)!.push(result);
    }
  }
  return rows.map((row) => {
    const own = runs.get(row.id)!;
    const base = row.baseline ? runs.get(row.baseline)! : own;
    return {
      id: row.id,
      label: row.label,
      request: row.request,
      ...(row.baseline && { baseline: row.baseline }),
      runs: own,
      median: {
        rps: median(own.map((r) => r.rps)),
        p50Ms: median(own.map((r) => r.p50Ms)),
        p99Ms: median(own.map((r) => r.p99Ms)),
      },
      mainThreadUsPerRequest: cpuUs.get(row.id)! / own.reduce((sum, r) => sum + r.requests, 0),
      vsBaseline: median(own.map((r, i) => ratio(r.rps, base[i]?.rps ?? NaN))),
    };
  });
}

/** A client-credentials token for the stand-in's M2M client, as the client would get one. */
async function machineToken(services: Services): Promise<string> {
  const response = await fetch(`${services.issuerUrl}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: M2M_CLIENT.clientId,
      client_secret: M2M_CLIENT.clientSecret,
    }),
  });
  if (!response.ok) throw new Error(`client credentials: HTTP ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

function replaceOnce(text: string, from: string, to: string, file: string): string {
  if (text.split(from).length !== 2) {
    throw new Error(
      `${file}: expected exactly one \`${from}\`; update test/tools/bench/sections/app-variants.ts`,
    );
  }
  return text.replace(from, to);
}
