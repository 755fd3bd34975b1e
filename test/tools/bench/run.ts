/**
 * `npm run bench`: measures the auth layer end to end on this machine, on loopback only, and
 * writes `test/tools/bench/REPORT.md` (generated; every figure measured in this run) with the raw
 * numbers in `test/tools/bench/REPORT.json`. Not part of `npm test`; about 6–8 minutes.
 *
 * 1. verify cost in-process (Node and @edge-runtime/vm) against the WebCrypto floor and the seed;
 * 2. HTTP overhead of the middleware (autocannon against `next start`, alternating A/B);
 * 3. JWKS fetches: a cold burst, an unknown-kid flood, and a Redis-cached JWKS experiment;
 * 4. the 50-way refresh race across two instances (Upstash, in-memory, the seed's approach);
 * 5. load on two instances sharing Upstash (errors, RSS);
 * 6. the middleware bundle's size; 7. the targets, with a measured cause for each miss.
 *
 * Environment:
 * - `BENCH_SKIP_BUILD=1` reuses the last build of the app copy (in the OS temp directory);
 * - `BENCH_QUICK=1` shrinks every section (a smoke run; its report says so).
 *
 * @example
 * npm run bench
 * BENCH_SKIP_BUILD=1 npm run bench
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { revokeSession } from '../../../lib/server/revocation';
import { createUpstashStore } from '../../../lib/server/store/upstash-store';
import { judgeTargets } from './report/targets';
import { renderReport } from './report/markdown';
import { writeFormatted } from './report/write';
import type { BenchResults } from './results';
import { measureBundle } from './sections/bundle-size';
import { measureHttpOverhead, DOCUMENT_HEADERS } from './sections/http-overhead';
import { measureColdStarts } from './sections/jwks-cold-start';
import { coldBurst, unknownKidFlood } from './sections/jwks-fetches';
import { loadTest } from './sections/load';
import { checkMatcher } from './sections/matcher-check';
import { profileServer } from './sections/server-profile';
import { raceLikeTheSeed, raceOverHttp } from './sections/refresh-race';
import { measureVerifyCost } from './sections/verify-cost';
import {
  buildAppCopy,
  COPY_DIFFERENCES,
  COPY_DIR,
  hasBuild,
  prepareAppCopy,
} from './support/app-copy';
import { installChildCleanup, stopAllChildren } from './support/children';
import { describeMachine, finishMachine } from './support/machine';
import { startApp, type AppServer } from './support/next-app';
import { BENCH_DIR } from './support/paths';
import { startServices, type Services } from './support/services';
import { signIn } from './support/sign-in';
import { makeVerifyInputs } from './verify/inputs';

const ACCESS_TOKEN_TTL_SECONDS = 3600;
const QUICK = process.env.BENCH_QUICK === '1';
const PLAN = {
  verifyScale: QUICK ? 0.1 : 1,
  coldStarts: QUICK ? 10 : 50,
  ab: QUICK
    ? { rounds: 2, seconds: 2, connections: 10, warmupSeconds: 1 }
    : { rounds: 4, seconds: 5, connections: 10, warmupSeconds: 2 },
  flood: QUICK ? { count: 100, seconds: 5 } : { count: 1_000, seconds: 30 },
  profileRequests: QUICK ? 500 : 1_500,
  strictProfileRequests: QUICK ? 300 : 600,
  load: { total: QUICK ? 2_000 : 10_000, connections: 50, sessions: QUICK ? 3 : 10 },
};

const started = Date.now();
const log = (message: string) =>
  console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}`);

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
  const machine = describeMachine();
  log(
    `${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}${QUICK ? ' (quick)' : ''}`,
  );
  const services = await startServices(ACCESS_TOKEN_TTL_SECONDS);
  const secret = randomBytes(32).toString('base64url');
  const baseEnv = {
    SCALEKIT_ENV_URL: services.issuerUrl,
    SCALEKIT_CLIENT_ID: services.clientId,
    SCALEKIT_CLIENT_SECRET: services.clientSecret,
    SESSION_COOKIE_SECRET: secret,
  };
  const config: BenchConfig = {
    services,
    baseEnv,
    edgeEnv: { ...baseEnv, APP_URL: 'http://127.0.0.1:3999' },
    secret,
    upstash: { url: services.upstashUrl, token: services.upstashToken },
  };
  // lib/edge in this process reads its configuration on first use: the same as the apps'.
  Object.assign(process.env, config.edgeEnv);

  const build = await buildTheCopy();
  const inProcess = await inProcessSections(config);
  const shared = await sharedUpstashSections(config);
  const memory = await inMemorySections(config, shared.cookie);
  await services.stop();

  const results: BenchResults = {
    machine: finishMachine(machine),
    setup: {
      mode: QUICK ? 'quick' : 'full',
      build,
      appCopy: COPY_DIFFERENCES,
      accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
      durationS: (Date.now() - started) / 1000,
    },
    ...inProcess,
    matcher: shared.matcher,
    jwks: { coldBurst: shared.coldBurst, coldBurstPage: memory.coldBurstPage, flood: shared.flood },
    http: shared.http,
    profiles: shared.profiles,
    race: [shared.race, ...memory.race],
    load: shared.load,
  };
  const targets = judgeTargets(results);
  await writeFormatted(join(BENCH_DIR, 'REPORT.json'), JSON.stringify({ ...results, targets }));
  await writeFormatted(join(BENCH_DIR, 'REPORT.md'), renderReport(results, targets));
  const met = targets.filter((t) => t.met).length;
  log(`wrote test/tools/bench/REPORT.md and REPORT.json: ${met}/${targets.length} targets met`);
}

/**
 * `next build` of the app's copy, unless BENCH_SKIP_BUILD=1 and a build is there. The build gets
 * no auth configuration at all: configuration is read at run time, and this keeps it so.
 */
async function buildTheCopy(): Promise<{ skipped: boolean; ms: number }> {
  if (process.env.BENCH_SKIP_BUILD === '1' && hasBuild()) {
    log(`BENCH_SKIP_BUILD=1: reusing ${COPY_DIR}/.next`);
    return { skipped: true, ms: 0 };
  }
  log(`copying the app to ${COPY_DIR} and running next build`);
  await prepareAppCopy();
  const env: NodeJS.ProcessEnv = { NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' };
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(SCALEKIT_|APP_URL|SESSION_|UPSTASH_|KV_|NODE_ENV)/.test(name)) env[name] = value;
  }
  return { skipped: false, ms: await buildAppCopy(env) };
}

/** Sections 6, 1 and the JWKS cold-start experiment: no server needed. */
async function inProcessSections({ services, edgeEnv, secret }: BenchConfig) {
  log('6. bundle size');
  const bundle = await measureBundle();
  log('1. verify cost (Node, then EdgeVM)');
  const inputs = await makeVerifyInputs(services, secret);
  const verifyCost = await measureVerifyCost(services, edgeEnv, inputs, PLAN.verifyScale);
  log('3. cold starts with and without a Redis JWKS copy');
  const coldStart = await measureColdStarts(services, inputs.token, PLAN.coldStarts);
  return { bundle, verifyCost, coldStart };
}

/**
 * Everything on instances sharing the local Upstash: `off` (SESSION_REVOCATION=off) and
 * `strict-1`/`strict-2`. `strict-2` gets no protected request before the cold burst.
 */
async function sharedUpstashSections(config: BenchConfig) {
  const { services, baseEnv, upstash, secret } = config;
  log('starting three next start instances');
  const off = await startApp({ name: 'off', baseEnv, upstash });
  const strict1 = await startApp({ name: 'strict-1', baseEnv, upstash, revocation: 'strict' });
  const strict2 = await startApp({ name: 'strict-2', baseEnv, upstash, revocation: 'strict' });
  await services.issuer.registerApp(off.url);
  const cookie = (await signIn(off.url)).header('/');

  log('3. cold burst on a fresh instance');
  const coldBurstResult = await coldBurst(services, strict2, '/api/protected/health', { cookie });
  log(`3. unknown-kid flood (${PLAN.flood.count} over ${PLAN.flood.seconds} s)`);
  const { count, seconds } = PLAN.flood;
  const flood = await unknownKidFlood(services, strict2, secret, count, seconds);
  log('2. matcher check');
  const matcher = await checkMatcher(off, cookie);
  log('2. HTTP overhead, alternating A/B');
  const http = await measureHttpOverhead(off, strict1, cookie, PLAN.ab);
  log('2. CPU profiles of next-server: middleware, strict revocation');
  const profiles = await serverProfiles(config, cookie, await revokedSessionCookie(config, off));

  log('4. refresh race, Upstash');
  const raceSession = await signIn(off.url);
  const approach = 'Upstash store (real Redis), 2 instances';
  const race = await raceOverHttp(approach, services, [strict1, strict2], raceSession, secret);
  log('5. load');
  const sessions = await Promise.all(
    Array.from({ length: PLAN.load.sessions }, async () => (await signIn(off.url)).header('/')),
  );
  const load = await loadTest([strict1, strict2], sessions, PLAN.load.total, PLAN.load.connections);
  await stopApps([off, strict1, strict2]);
  return { cookie, coldBurst: coldBurstResult, flood, matcher, http, profiles, race, load };
}

/** Two extra instances under `--cpu-prof` (see sections/server-profile.ts). */
async function serverProfiles({ baseEnv, upstash }: BenchConfig, cookie: string, revoked: string) {
  const path = '/api/protected/health';
  return {
    middleware: await profileServer(
      { name: 'profiled-off', baseEnv, upstash },
      [
        { label: 'GET /api/health (outside the matcher)', path: '/api/health', cookie },
        { label: `GET ${path}`, path, cookie },
      ],
      PLAN.profileRequests,
    ),
    strict: await profileServer(
      { name: 'profiled-strict', baseEnv, upstash, revocation: 'strict' },
      [
        { label: 'strict, revoked session (401 from the middleware)', path, cookie: revoked },
        { label: 'strict, valid session', path, cookie },
      ],
      PLAN.strictProfileRequests,
    ),
  };
}

/** Instances with the in-memory store, then the seed's approach (the SDK alone). */
async function inMemorySections({ services, baseEnv, secret }: BenchConfig, cookie: string) {
  log('3./4. in-memory instances: cold page burst, refresh race; the seed');
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

/** A fresh session whose `sid` is on the revocation list (through lib/edge/revocation.ts). */
async function revokedSessionCookie({ upstash }: BenchConfig, app: AppServer): Promise<string> {
  const cookie = (await signIn(app.url)).header('/');
  const response = await fetch(`${app.url}/api/protected/me`, { headers: { cookie } });
  const { sid, exp } = (await response.json()) as { sid: string; exp: number };
  await revokeSession(createUpstashStore(upstash), sid, exp);
  return cookie;
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
