import { once } from 'node:events';
import { get, type IncomingMessage } from 'node:http';
import { DOCUMENT_HEADERS } from '../support/document-headers';
import { load, type LoadRun, type LoadTarget } from '../support/load';
import { startApp, type AppServer } from '../support/next-app';
import { PEERS_NEXT_BIN, servedDir, type BuildId } from '../support/peer-builds';
import type { PeerSessions, SessionKind } from '../support/peer-sessions';
import type { ProfileWindow } from '../support/cpu-profile';
import {
  categorizer,
  costOf,
  monotonicUs,
  serverProfiler,
  type CpuCost,
  type ServerProfiler,
} from '../support/server-profile';
import { median, ratio } from '../support/stats';
import type { WorkosStandIn } from '../support/workos-stand-in';

export type RouteId = 'api' | 'page' | 'public';

export const ROUTES: Record<RouteId, { path: string; label: string; document: boolean }> = {
  api: { path: '/api/protected/data', label: 'protected API route', document: false },
  page: { path: '/dashboard', label: 'protected page', document: true },
  public: { path: '/', label: 'public page', document: true },
};

export type InstanceId = 'none' | 'noop' | 'edge' | 'proxy' | 'authkit' | 'auth0' | 'everywhere';

/** One `next start` of one variant's build, and what it is measured on. */
interface InstancePlan {
  id: InstanceId;
  /** The variant's letter in the issue: (a) … (f); c′ and c″ are this project's extra rows. */
  letter: string;
  name: string;
  build: BuildId;
  session: SessionKind;
  /** Whether its middleware must refuse a request without a valid session. */
  protects: boolean;
  routes: RouteId[];
}

/**
 * The public page runs no middleware in any variant on the product's matcher, so it is measured
 * where it answers a question: without middleware (a), with a no-op one for other paths (b: what
 * having any middleware costs a page it does not match), this project's (c), and with the old
 * every-path matcher. Strict revocation is measured on the whole app (sections/app-variants.ts).
 */
const INSTANCES: readonly InstancePlan[] = [
  {
    id: 'none',
    name: 'no middleware',
    letter: 'a',
    build: 'none',
    session: 'ours',
    protects: false,
    routes: ['api', 'page', 'public'],
  },
  {
    id: 'noop',
    name: 'no-op middleware',
    letter: 'b',
    build: 'noop',
    session: 'ours',
    protects: false,
    routes: ['api', 'page', 'public'],
  },
  {
    id: 'edge',
    name: 'this project, `middleware.ts` (Edge)',
    letter: 'c',
    build: 'edge',
    session: 'ours',
    protects: true,
    routes: ['api', 'page', 'public'],
  },
  {
    id: 'proxy',
    name: 'this project, `proxy.ts` (Node)',
    letter: 'd',
    build: 'proxy',
    session: 'ours',
    protects: true,
    routes: ['api', 'page'],
  },
  {
    id: 'authkit',
    name: 'authkit-nextjs `authkitMiddleware`',
    letter: 'e',
    build: 'authkit',
    session: 'authkit',
    protects: true,
    routes: ['api', 'page'],
  },
  {
    id: 'auth0',
    name: 'nextjs-auth0 `auth0.middleware` + `getSession`',
    letter: 'f',
    build: 'auth0',
    session: 'auth0',
    protects: true,
    routes: ['api', 'page'],
  },
  {
    id: 'everywhere',
    name: 'this project (Edge), old matcher: every path',
    letter: 'c″',
    build: 'everywhere',
    session: 'ours',
    protects: true,
    routes: ['public'],
  },
];

export interface PeerPlan {
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
}

/** What one request in a check got back: the status and, for a redirect, where to (path only). */
export interface AuthCheck {
  instance: InstanceId;
  check: string;
  expected: string;
  observed: string;
  ok: boolean;
}

/** One instance on one route, over every round. */
export interface PeerCell extends CpuCost {
  instance: InstanceId;
  route: RouteId;
  runs: LoadRun[];
  requests: number;
  median: { rps: number; p50Ms: number; p99Ms: number };
  non2xx: number;
  errors: number;
  /** CPU of the whole next-server process (every thread, user + system) per request, from /proc. */
  processUsPerRequest: number;
  /** {@link CpuCost.mainThreadUsPerRequest} of each run, in round order. */
  mainThreadUsPerRun: number[];
}

export interface PeerTableResult {
  plan: PeerPlan;
  instances: Array<{
    id: InstanceId;
    letter: string;
    name: string;
    build: BuildId;
    session: SessionKind;
    cookieBytes: number;
  }>;
  forgedAs: Record<SessionKind, string>;
  checks: AuthCheck[];
  /** Requests the local stand-ins served during the checks: each variant's key fetches. */
  checkTraffic: { scalekitKeys: number; workosJwks: number; workosRefresh: number };
  cells: PeerCell[];
}

interface Context {
  baseEnv: Record<string, string>;
  upstash: { url: string; token: string };
  sessions: PeerSessions;
  workos: WorkosStandIn;
  scalekitKeysFetches: () => Promise<number>;
}

/**
 * Section 2: the same tiny app (support/peer-builds.ts) behind each variant's middleware, one
 * `next start` each, all running at once. Every variant's auth paths are
 * checked first (a valid session passes, none and a forged one are refused) and the run stops if
 * one is not as expected. Then, after a warm-up, `rounds` rounds send `seconds` of requests with
 * the variant's own valid session to each (instance, route) in turn, route by route, the order
 * rotating each round so no variant always goes first. CPU comes from /proc over each measured
 * stretch (main thread and whole process); a CPU profile of the stretch splits the main thread's.
 */
export async function measurePeers(context: Context, plan: PeerPlan): Promise<PeerTableResult> {
  const apps = new Map<InstanceId, { app: AppServer; profiler: ServerProfiler }>();
  try {
    // Started together: nothing is measured yet, and each start is mostly waiting.
    await Promise.all(
      INSTANCES.map(async (instance) => {
        const profiler = await serverProfiler(`peer-${instance.id}`);
        const app = await startApp({
          name: `peer-${instance.id}`,
          dir: servedDir(instance.build),
          nextBin: PEERS_NEXT_BIN,
          baseEnv: { ...context.baseEnv, ...context.sessions.env, ...profiler.env },
          upstash: context.upstash,
          nodeArgs: profiler.nodeArgs,
        });
        apps.set(instance.id, { app, profiler });
      }),
    );
    const before = await traffic(context);
    const checks = await checkAuthPaths(context, apps);
    const after = await traffic(context);
    const failed = checks.filter((check) => !check.ok);
    if (failed.length) {
      throw new Error(
        `peer variants did not take their auth paths:\n${failed
          .map((c) => `  ${c.instance}: ${c.check}: expected ${c.expected}, got ${c.observed}`)
          .join('\n')}`,
      );
    }
    const measured = await runRounds(context, apps, plan);
    const cells = await costCells(apps, measured);
    return {
      plan,
      instances: INSTANCES.map((instance) => ({
        id: instance.id,
        letter: instance.letter,
        name: instance.name,
        build: instance.build,
        session: instance.session,
        cookieBytes: context.sessions.sessions[instance.session].header.length,
      })),
      forgedAs: context.sessions.forgedAs,
      checks,
      checkTraffic: {
        scalekitKeys: after.scalekitKeys - before.scalekitKeys,
        workosJwks: after.workosJwks - before.workosJwks,
        workosRefresh: after.workosRefresh - before.workosRefresh,
      },
      cells,
    };
  } finally {
    await Promise.all([...apps.values()].map(({ app }) => app.stop()));
  }
}

async function traffic(context: Context) {
  const { jwks, refresh } = context.workos.counts();
  return {
    scalekitKeys: await context.scalekitKeysFetches(),
    workosJwks: jwks,
    workosRefresh: refresh,
  };
}

/** Where each kind of middleware sends a request it refuses. */
const REFUSAL: Record<SessionKind, { api: string; page: string }> = {
  ours: { api: '401', page: '303 → /login' },
  authkit: { api: '307 → /user_management/authorize', page: '307 → /user_management/authorize' },
  auth0: { api: '307 → /auth/login', page: '307 → /auth/login' },
};

async function checkAuthPaths(
  context: Context,
  apps: Map<InstanceId, { app: AppServer }>,
): Promise<AuthCheck[]> {
  const checks: AuthCheck[] = [];
  for (const instance of INSTANCES) {
    const { app } = apps.get(instance.id)!;
    const session = context.sessions.sessions[instance.session];
    const record = async (check: string, expected: string, route: RouteId, cookie?: string) => {
      const observed = await answer(app, route, cookie);
      checks.push({ instance: instance.id, check, expected, observed, ok: observed === expected });
    };
    const refused = REFUSAL[instance.session];
    for (const route of instance.routes) {
      const path = ROUTES[route].path;
      await record(`valid session → ${path}`, '200', route, session.header);
      if (route === 'public') {
        await record(
          `no session → ${path}`,
          instance.id === 'everywhere' ? refused.page : '200',
          route,
        );
        continue;
      }
      await record(`no session → ${path}`, instance.protects ? refused[route] : '200', route);
      if (instance.protects) {
        await record(`forged session → ${path}`, refused[route], route, session.forged);
      }
    }
  }
  return checks;
}

/** node:http, not fetch: fetch would overwrite `Sec-Fetch-Mode` and spoil a document navigation. */
async function answer(app: AppServer, route: RouteId, cookie?: string): Promise<string> {
  const response = await new Promise<IncomingMessage>((resolve, reject) =>
    get(`${app.url}${ROUTES[route].path}`, { headers: headersFor(route, cookie) }, resolve).once(
      'error',
      reject,
    ),
  );
  response.resume();
  await once(response, 'end');
  const { location } = response.headers;
  const status = String(response.statusCode);
  return location ? `${status} → ${new URL(location, app.url).pathname}` : status;
}

function headersFor(route: RouteId, cookie?: string): Record<string, string> {
  return {
    ...(ROUTES[route].document ? DOCUMENT_HEADERS : {}),
    ...(cookie ? { cookie } : {}),
  };
}

interface Measured {
  instance: InstanceId;
  route: RouteId;
  runs: LoadRun[];
  windows: ProfileWindow[];
  /** CPU used during each run, µs. */
  cpu: Array<{ process: number; mainThread: number }>;
}

async function runRounds(
  context: Context,
  apps: Map<InstanceId, { app: AppServer; profiler: ServerProfiler }>,
  plan: PeerPlan,
): Promise<Measured[]> {
  const cells: Measured[] = INSTANCES.flatMap((instance) =>
    instance.routes.map((route) => ({
      instance: instance.id,
      route,
      runs: [],
      windows: [],
      cpu: [],
    })),
  );
  const target = (cell: Measured): LoadTarget => {
    const instance = INSTANCES.find((i) => i.id === cell.instance)!;
    return {
      label: `${cell.instance} ${ROUTES[cell.route].path}`,
      url: `${apps.get(cell.instance)!.app.url}${ROUTES[cell.route].path}`,
      headers: headersFor(cell.route, context.sessions.sessions[instance.session].header),
    };
  };
  const { connections } = plan;
  for (const cell of cells) await load(target(cell), { connections, duration: plan.warmupSeconds });
  for (let round = 0; round < plan.rounds; round++) {
    for (const route of Object.keys(ROUTES) as RouteId[]) {
      const ofRoute = cells.filter((cell) => cell.route === route);
      const shift = round % ofRoute.length;
      for (const cell of [...ofRoute.slice(shift), ...ofRoute.slice(0, shift)]) {
        const { app, profiler } = apps.get(cell.instance)!;
        await profiler.start(app.pid());
        const before = app.cpuUs();
        const fromUs = monotonicUs();
        const run = await load(target(cell), { connections, duration: plan.seconds });
        cell.windows.push({ fromUs, toUs: monotonicUs() });
        const after = app.cpuUs();
        await profiler.stop(app.pid());
        cell.cpu.push({
          process: after.process - before.process,
          mainThread: after.mainThread - before.mainThread,
        });
        cell.runs.push(run);
        if (run.non2xx > 0) {
          throw new Error(
            `${target(cell).label}: ${run.non2xx} non-2xx answers (${JSON.stringify(run.statusCodes)}) with a valid session`,
          );
        }
      }
    }
  }
  return cells;
}

async function costCells(
  apps: Map<InstanceId, { profiler: ServerProfiler }>,
  measured: Measured[],
): Promise<PeerCell[]> {
  const key = categorizer();
  const cells: PeerCell[] = [];
  for (const [id, { profiler }] of apps) {
    const profiles = await profiler.profiles();
    for (const cell of measured.filter((m) => m.instance === id)) {
      const requests = cell.runs.reduce((sum, run) => sum + run.requests, 0);
      const total = (key: 'process' | 'mainThread') =>
        cell.cpu.reduce((sum, used) => sum + used[key], 0);
      cells.push({
        instance: cell.instance,
        route: cell.route,
        runs: cell.runs,
        requests,
        median: {
          rps: median(cell.runs.map((run) => run.rps)),
          p50Ms: median(cell.runs.map((run) => run.p50Ms)),
          p99Ms: median(cell.runs.map((run) => run.p99Ms)),
        },
        non2xx: cell.runs.reduce((sum, run) => sum + run.non2xx, 0),
        errors: cell.runs.reduce((sum, run) => sum + run.errors, 0),
        processUsPerRequest: total('process') / requests,
        mainThreadUsPerRun: cell.cpu.map((used, i) => used.mainThread / cell.runs[i]!.requests),
        ...costOf(profiles, cell.windows, key, { requests, mainThreadUs: total('mainThread') }),
      });
    }
  }
  return cells;
}

/** The cell of `instance` on `route`. */
export function cellOf(result: PeerTableResult, instance: InstanceId, route: RouteId): PeerCell {
  const cell = result.cells.find((c) => c.instance === instance && c.route === route);
  if (!cell) throw new Error(`no measurement of ${instance} on ${route}`);
  return cell;
}

/**
 * `a`'s rps relative to `b`'s: the median over rounds of the two runs' ratio in the same round,
 * which were measured moments apart, so the machine's drift cancels out.
 */
export function rpsRatio(a: PeerCell, b: PeerCell): number {
  return median(a.runs.map((run, i) => ratio(run.rps, b.runs[i]?.rps ?? NaN)));
}

/** `a`'s main-thread CPU per request relative to `b`'s, paired by round as {@link rpsRatio} is. */
export function cpuRatio(a: PeerCell, b: PeerCell): number {
  return median(a.mainThreadUsPerRun.map((us, i) => ratio(us, b.mainThreadUsPerRun[i] ?? NaN)));
}
