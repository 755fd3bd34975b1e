/**
 * `npm run bench`: measures the auth layer end to end on this machine, on loopback only, and
 * writes `test/tools/bench/REPORT.md` (generated; every figure measured in this run) with the raw
 * numbers in `test/tools/bench/REPORT.json`. Not part of `npm test`; under 10 minutes on 2 cores.
 *
 * 1. verify cost in-process (Node and @edge-runtime/vm) against the WebCrypto floor, the seed
 *    and the peers' per-request session checks; 1′. the open routes' rate limiter per request;
 * 2. this project's middleware next to no middleware, a no-op one, its `proxy.ts` form and the
 *    peers (authkit-nextjs, nextjs-auth0) over HTTP, on one tiny app built once per variant;
 * 3. JWKS fetches: a cold burst, an unknown-kid flood, and a Redis-cached JWKS experiment;
 * 4. the 50-way refresh race across two instances (Upstash, in-memory, the seed's approach);
 * 5. load on two instances sharing Upstash (errors, RSS);
 * 6. a soak of one instance (RSS and heap across the second half); 7. the middleware bundle's
 *    size; 8. the targets, with a measured cause for each miss.
 *
 * Builds and the peers' install are reused while their inputs are unchanged (see
 * support/build-inputs.ts). `BENCH_QUICK=1` shrinks every section (a smoke run; its report says
 * so); `BENCH_ONLY=app-variants` runs only section 2′ (design choices on the whole app) and
 * `BENCH_ONLY=rate-limit` only section 1′ (the rate limiter's cost), each printed, leaving the
 * report files alone.
 *
 * @example
 * npm run bench
 * BENCH_QUICK=1 npm run bench
 * BENCH_ONLY=rate-limit npm run bench
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { judgeTargets } from './report/targets';
import { renderReport } from './report/markdown';
import { writeFormatted } from './report/write';
import type { BenchResults } from './results';
import { appVariantsSection } from './report/app-variants';
import { measureAppVariants } from './sections/app-variants';
import { measureBundle } from './sections/bundle-size';
import { measureColdStarts } from './sections/jwks-cold-start';
import { coldBurst, unknownKidFlood } from './sections/jwks-fetches';
import { loadTest } from './sections/load';
import { soak } from './sections/soak';
import { measurePeers } from './sections/peers';
import { raceLikeTheSeed, raceOverHttp } from './sections/refresh-race';
import { measureRateLimitCost } from './sections/rate-limit-cost';
import { rateLimitSection } from './report/rate-limit';
import { measureVerifyCost } from './sections/verify-cost';
import { buildAppCopy, COPY_DIFFERENCES } from './support/app-copy';
import { installChildCleanup, stopAllChildren } from './support/children';
import { describeCommit } from './support/commit';
import { DOCUMENT_HEADERS } from './support/document-headers';
import { describeMachine, finishMachine } from './support/machine';
import { startApp, type AppServer } from './support/next-app';
import { buildPeerVariants } from './support/peer-builds';
import { installPeers } from './support/peer-install';
import { loadPeerModules } from './support/peer-modules';
import { mintPeerSessions } from './support/peer-sessions';
import { BENCH_DIR } from './support/paths';
import { appEnv, startServices, type Services } from './support/services';
import { signIn } from './support/sign-in';
import { startWorkosStandIn } from './support/workos-stand-in';
import { makeVerifyInputs } from './verify/inputs';

const ACCESS_TOKEN_TTL_SECONDS = 3600;
const QUICK = process.env.BENCH_QUICK === '1';
const PLAN = {
  verifyScale: QUICK ? 0.1 : 1,
  coldStarts: QUICK ? 10 : 50,
  peers: QUICK
    ? { rounds: 2, seconds: 2, connections: 10, warmupSeconds: 1 }
    : { rounds: 5, seconds: 2, connections: 10, warmupSeconds: 1 },
  flood: QUICK ? { count: 100, seconds: 5 } : { count: 1_000, seconds: 30 },
  // Nine rounds: strict revocation's cost is small next to a 2 s run's noise on a shared machine,
  // and the median of nine same-round ratios settles where five did not.
  appVariants: QUICK
    ? { rounds: 2, seconds: 2, connections: 10, warmupSeconds: 1 }
    : { rounds: 9, seconds: 2, connections: 10, warmupSeconds: 1 },
  load: { seconds: QUICK ? 10 : 30, connections: 50, sessions: QUICK ? 3 : 10 },
  soak: QUICK
    ? { warmupSeconds: 3, seconds: 12, connections: 10, sessions: 100, sampleEveryMs: 1_000 }
    : { warmupSeconds: 15, seconds: 135, connections: 20, sessions: 2_000, sampleEveryMs: 2_000 },
};

const started = Date.now();
const log = (message: string) =>
  console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}`);

/** Runs `work` as one named step of the run, timed for the report. */
const timings: Array<{ step: string; seconds: number }> = [];
async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  log(name);
  const from = Date.now();
  try {
    return await work();
  } finally {
    timings.push({ step: name, seconds: (Date.now() - from) / 1000 });
  }
}

/** What every app instance and this process share: issuer, client, Upstash, session secret. */
interface BenchConfig {
  services: Services;
  baseEnv: Record<string, string>;
  /** `baseEnv` plus an APP_URL: lib/edge's configuration in this process and the EdgeVM. */
  edgeEnv: Record<string, string>;
  secret: string;
  upstash: { url: string; token: string };
}

async function main(): Promise<void> {
  installChildCleanup();
  if (process.env.BENCH_ONLY === 'app-variants') return onlyAppVariants();
  if (process.env.BENCH_ONLY === 'rate-limit') return onlyRateLimit();
  const commit = describeCommit();
  const machine = describeMachine();
  log(
    `${commit.sha.slice(0, 12)}${commit.dirty ? ' (dirty)' : ''}, ${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}${QUICK ? ' (quick)' : ''}`,
  );
  const peersInstall = await step(
    'install the peers (npm ci, unless the lockfile is unchanged)',
    installPeers,
  );
  const appBuild = await step('next build of the app copy (unless unchanged)', buildAppCopy);
  const peerBuilds = await step('next build of each peer variant (unless unchanged)', () =>
    buildPeerVariants(log),
  );

  const services = await step('start the stand-ins', () => startServices(ACCESS_TOKEN_TTL_SECONDS));
  const secret = randomBytes(32).toString('base64url');
  const baseEnv = appEnv(services, secret);
  const config: BenchConfig = {
    services,
    baseEnv,
    edgeEnv: { ...baseEnv, APP_URL: 'http://127.0.0.1:3999' },
    secret,
    upstash: { url: services.upstashUrl, token: services.upstashToken },
  };
  // lib/edge in this process reads its configuration on first use: the same as the apps'.
  Object.assign(process.env, config.edgeEnv);

  const inputs = await makeVerifyInputs(services, secret);
  const modules = await loadPeerModules();
  const workos = await startWorkosStandIn('client_01JBENCH0000000000000000');
  const sessions = await mintPeerSessions(modules, workos, inputs);

  const bundle = await step('7. bundle size', measureBundle);
  const verifyCost = await step('1. verify cost (Node with the peers, then EdgeVM)', () =>
    measureVerifyCost(services, config.edgeEnv, inputs, { modules, sessions }, PLAN.verifyScale),
  );
  const rateLimitCost = await step('1′. rate limiter cost per request (in-memory, Upstash)', () =>
    measureRateLimitCost(config.upstash, PLAN.verifyScale),
  );
  const coldStart = await step('3. cold starts with and without a JWKS copy in Redis', () =>
    measureColdStarts(services, inputs.token, PLAN.coldStarts),
  );
  const peers = await step('2. peers over HTTP (checks, then alternating rounds)', () =>
    measurePeers(
      {
        baseEnv,
        upstash: config.upstash,
        sessions,
        workos,
        scalekitKeysFetches: () => services.issuer.keysFetches(),
      },
      PLAN.peers,
    ),
  );
  await workos.close();
  const appVariants = await step('2′. design choices on the whole app (alternating rounds)', () =>
    measureAppVariants(services, baseEnv, PLAN.appVariants),
  );
  const shared = await sharedUpstashSections(config);
  const memory = await step(
    '3./4. in-memory instances: cold page burst, refresh race; the seed',
    () => inMemorySections(config, shared.cookie),
  );
  const soakResult = await step(
    `6. soak (${PLAN.soak.warmupSeconds} s warm-up, then ${PLAN.soak.seconds} s sampled)`,
    () => soak(services, baseEnv, secret, PLAN.soak),
  );
  await services.stop();

  const results: BenchResults = {
    commit,
    machine: finishMachine(machine),
    setup: {
      mode: QUICK ? 'quick' : 'full',
      appBuild,
      peersInstall,
      peerBuilds,
      peerVersions: modules.versions,
      appCopy: COPY_DIFFERENCES,
      accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
      timings,
      durationS: (Date.now() - started) / 1000,
    },
    verifyCost,
    rateLimit: rateLimitCost,
    bundle,
    coldStart,
    peers,
    appVariants,
    jwks: { coldBurst: shared.coldBurst, coldBurstPage: memory.coldBurstPage, flood: shared.flood },
    race: [shared.race, ...memory.race],
    load: shared.load,
    soak: soakResult,
  };
  const targets = judgeTargets(results);
  await writeFormatted(join(BENCH_DIR, 'REPORT.json'), JSON.stringify({ ...results, targets }));
  await writeFormatted(join(BENCH_DIR, 'REPORT.md'), renderReport(results, targets));
  const met = targets.filter((t) => t.met).length;
  log(
    `wrote test/tools/bench/REPORT.md and REPORT.json: ${met}/${targets.length} targets met, ${results.setup.durationS.toFixed(0)} s`,
  );
}

/**
 * `BENCH_ONLY=app-variants`: section 2′ alone, printed as the report would show it (the report
 * files are left as they are): for a quick figure while working on one design choice.
 */
async function onlyAppVariants(): Promise<void> {
  const services = await step('start the stand-ins', () => startServices(ACCESS_TOKEN_TTL_SECONDS));
  try {
    const baseEnv = {
      SCALEKIT_ENV_URL: services.issuerUrl,
      SCALEKIT_CLIENT_ID: services.clientId,
      SCALEKIT_CLIENT_SECRET: services.clientSecret,
      SESSION_COOKIE_SECRET: randomBytes(32).toString('base64url'),
    };
    const result = await step('2′. design choices on the whole app', () =>
      measureAppVariants(services, baseEnv, PLAN.appVariants),
    );
    console.log(appVariantsSection(result));
  } finally {
    await services.stop();
  }
}

/**
 * `BENCH_ONLY=rate-limit`: the rate limiter's cost alone, printed as the report would show it (the
 * report files are left as they are). With `BENCH_QUICK=1`, a tenth of the calls.
 */
async function onlyRateLimit(): Promise<void> {
  const services = await step('start the stand-ins', () => startServices(ACCESS_TOKEN_TTL_SECONDS));
  try {
    const result = await step('1′. rate limiter cost per request', () =>
      measureRateLimitCost(
        { url: services.upstashUrl, token: services.upstashToken },
        PLAN.verifyScale,
      ),
    );
    console.log(rateLimitSection(result));
  } finally {
    await services.stop();
  }
}

/**
 * Everything on instances of the app sharing the local Upstash: `off` (SESSION_REVOCATION=off)
 * and `strict-1`/`strict-2`. `strict-2` gets no protected request before the cold burst.
 */
async function sharedUpstashSections(config: BenchConfig) {
  const { services, baseEnv, upstash, secret } = config;
  const { off, strict1, strict2, cookie } = await step(
    'start three instances of the app',
    async () => {
      const off = await startApp({ name: 'off', baseEnv, upstash });
      const strict1 = await startApp({ name: 'strict-1', baseEnv, upstash, revocation: 'strict' });
      const strict2 = await startApp({ name: 'strict-2', baseEnv, upstash, revocation: 'strict' });
      await services.issuer.registerApp(off.url);
      return { off, strict1, strict2, cookie: (await signIn(off.url)).header('/') };
    },
  );

  const coldBurstResult = await step('3. cold burst on a fresh instance', () =>
    coldBurst(services, strict2, '/api/protected/health', { cookie }),
  );
  const { count, seconds } = PLAN.flood;
  const flood = await step(`3. unknown-kid flood (${count} over ${seconds} s)`, () =>
    unknownKidFlood(services, strict2, secret, count, seconds),
  );
  const race = await step('4. refresh race, Upstash', async () =>
    raceOverHttp(
      'Upstash store (real Redis), 2 instances',
      services,
      [strict1, strict2],
      await signIn(off.url),
      secret,
    ),
  );
  const load = await step('5. load', async () => {
    const sessions = await Promise.all(
      Array.from({ length: PLAN.load.sessions }, async () => (await signIn(off.url)).header('/')),
    );
    return loadTest([strict1, strict2], sessions, PLAN.load.seconds, PLAN.load.connections);
  });
  await stopApps([off, strict1, strict2]);
  return { cookie, coldBurst: coldBurstResult, flood, race, load };
}

/** Instances with the in-memory store, then the seed's approach (the SDK alone). */
async function inMemorySections({ services, baseEnv, secret }: BenchConfig, cookie: string) {
  const memory1 = await startApp({ name: 'memory-1', baseEnv });
  const memory2 = await startApp({ name: 'memory-2', baseEnv });
  await services.issuer.registerApp(memory1.url);
  const coldBurstPage = await coldBurst(services, memory1, '/dashboard', {
    cookie,
    ...DOCUMENT_HEADERS,
  });
  const session = await signIn(memory1.url);
  const approach = 'in-memory store, 2 instances';
  const race = [await raceOverHttp(approach, services, [memory1, memory2], session, secret)];
  race.push(await raceLikeTheSeed(services, await signIn(memory1.url), secret));
  await stopApps([memory1, memory2]);
  return { coldBurstPage, race };
}

async function stopApps(apps: AppServer[]): Promise<void> {
  await Promise.all(apps.map((app) => app.stop()));
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error('[bench] failed:', error);
    await stopAllChildren();
    process.exit(1);
  },
);
