import { buildAppCopy, variantDir, type AppVariant } from '../support/app-copy';
import { DOCUMENT_HEADERS } from '../support/document-headers';
import { load, type LoadRun } from '../support/load';
import { startApp, type AppServer } from '../support/next-app';
import type { Services } from '../support/services';
import { signIn } from '../support/sign-in';
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
  /** Median over rounds of this row's rps over its baseline's in the same round. */
  vsBaseline: number;
}

export interface AppVariantsResult {
  plan: AppVariantsPlan;
  builds: Array<{ name: string; skipped: boolean; ms: number }>;
  /** What each variant was checked to do before it was measured. */
  checks: Array<{ check: string; ok: boolean }>;
  rows: VariantRow[];
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
  const builds = [
    { name: 'product', ...(await buildAppCopy()) },
    { name: DYNAMIC_HOME.name, ...(await buildAppCopy(DYNAMIC_HOME)) },
  ];
  const product = await startApp({ name: 'variants-product', baseEnv });
  const dynamicHome = await startApp({
    name: 'variants-dynamic-home',
    baseEnv,
    dir: variantDir(DYNAMIC_HOME),
  });
  try {
    await services.issuer.registerApp(product.url);
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
    ];
    return { plan, builds, checks, rows: await measureRows(rows, plan) };
  } finally {
    await Promise.all([product.stop(), dynamicHome.stop()]);
  }
}

async function measureRows(rows: RowPlan[], plan: AppVariantsPlan): Promise<VariantRow[]> {
  const runs = new Map<string, LoadRun[]>(rows.map((row) => [row.id, []]));
  const run = (row: RowPlan, duration: number) =>
    load(
      { label: row.id, url: `${row.app.url}${row.path}`, headers: row.headers },
      { connections: plan.connections, duration },
    );
  for (const row of rows) await run(row, plan.warmupSeconds);
  for (let round = 0; round < plan.rounds; round++) {
    const shift = round % rows.length;
    for (const row of [...rows.slice(shift), ...rows.slice(0, shift)]) {
      const result = await run(row, plan.seconds);
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
      vsBaseline: median(own.map((r, i) => ratio(r.rps, base[i]?.rps ?? NaN))),
    };
  });
}

function replaceOnce(text: string, from: string, to: string, file: string): string {
  if (text.split(from).length !== 2) {
    throw new Error(
      `${file}: expected exactly one \`${from}\`; update test/tools/bench/sections/app-variants.ts`,
    );
  }
  return text.replace(from, to);
}
