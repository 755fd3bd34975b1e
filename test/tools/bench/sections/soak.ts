import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RequestOptions } from 'autocannon';
import { mintSession } from '../../../kit/mint-session';
import { DOCUMENT_HEADERS } from '../support/document-headers';
import { load, type LoadRun } from '../support/load';
import { startApp } from '../support/next-app';
import { TMP_DIR } from '../support/paths';
import type { Services } from '../support/services';
import { leastSquares, median } from '../support/stats';

export interface SoakPlan {
  /** Traffic before sampling counts: caches fill, code warms up. */
  warmupSeconds: number;
  /** Sampled traffic; growth is judged over its second half. */
  seconds: number;
  connections: number;
  /** Distinct sessions: more than the verified-session cache's 10,000 would hold is not needed. */
  sessions: number;
  sampleEveryMs: number;
}

export interface MemorySample {
  /** Seconds since sampling started counting (after the warm-up). */
  atS: number;
  rssMiB: number;
  heapUsedMiB: number;
  /** Memory of C++ objects bound to JavaScript ones (Buffers, sockets, zlib streams…). */
  externalMiB: number;
  /** Of which ArrayBuffers and Buffers. */
  arrayBuffersMiB: number;
}

/** A least-squares line through one measure's samples in the second half of the window. */
export interface Trend {
  /** The line's value at the half's start and at its end. */
  startMiB: number;
  endMiB: number;
  /** End against start. */
  growthPct: number;
  slopeMiBPerMinute: number;
}

/** The measures a soak fits a trend to, each a field of {@link MemorySample}. */
export const TREND_MEASURES = ['rssMiB', 'heapUsedMiB', 'externalMiB', 'arrayBuffersMiB'] as const;

export interface SoakResult {
  plan: SoakPlan;
  run: LoadRun;
  samples: MemorySample[];
  /**
   * The second half's start and end, and the growth, each read over the first and over the last
   * third of the second half rather than at one moment (RSS moves in steps, the heap saws): for
   * RSS the median sample of the window; for the heap the lowest (what survives collection). A
   * leak raises both.
   */
  secondHalf: {
    rss: { startMiB: number; endMiB: number; growthPct: number };
    heapUsed: { startMiB: number; endMiB: number; growthPct: number };
  };
  /**
   * Each measure's least-squares trend across the second half (RSS: every sample; the heap,
   * external and ArrayBuffers: the lowest sample of each tenth, what survives collection): a
   * judgement of the whole half, where two windows can each land on a step or a sawtooth's edge.
   */
  trend: Record<(typeof TREND_MEASURES)[number], Trend>;
}

const SAMPLER = fileURLToPath(new URL('../support/memory-sampler.mjs', import.meta.url));
const MiB = 1024 * 1024;

/**
 * Soak: one instance of the app under mixed protected traffic for several minutes (valid sessions
 * from a pool of distinct cookies on the API, a document and an RSC-like request; expired tokens;
 * no session), its RSS and JavaScript heap sampled from inside every few seconds. The figure is
 * the growth across the second half of the sampled window: a leak keeps growing there, a cache
 * filling up does not.
 */
export async function soak(
  services: Services,
  baseEnv: Record<string, string>,
  secret: string,
  plan: SoakPlan,
): Promise<SoakResult> {
  const file = join(TMP_DIR, 'soak-memory.jsonl');
  await rm(file, { force: true });
  const app = await startApp({
    name: 'soak',
    baseEnv: {
      ...baseEnv,
      BENCH_MEMORY_FILE: file,
      BENCH_MEMORY_INTERVAL_MS: String(plan.sampleEveryMs),
    },
    nodeArgs: ['--import', SAMPLER],
  });
  try {
    const signer = {
      issuer: services.issuerUrl,
      clientId: baseEnv.SCALEKIT_CLIENT_ID!,
      sign: services.issuer.signJwt,
    };
    const cookies = await Promise.all(
      Array.from({ length: plan.sessions }, async () =>
        (await mintSession({ signer, secret, lifetimeSeconds: 3600 })).cookieHeader('/'),
      ),
    );
    const expired = (await mintSession({ signer, secret, expired: true })).cookieHeader('/');
    const valid = (request: RequestOptions): RequestOptions => ({
      ...request,
      headers: { ...request.headers, cookie: cookies[Math.floor(Math.random() * cookies.length)]! },
    });
    const requests: RequestOptions[] = [
      { method: 'GET', path: '/api/protected/health', setupRequest: valid },
      { method: 'GET', path: '/api/protected/me', setupRequest: valid },
      { method: 'GET', path: '/dashboard', headers: DOCUMENT_HEADERS, setupRequest: valid },
      {
        method: 'GET',
        path: '/dashboard/admin',
        headers: { 'sec-fetch-mode': 'cors', accept: '*/*' },
        setupRequest: valid,
      },
      { method: 'GET', path: '/api/protected/me', headers: { cookie: expired } },
      { method: 'GET', path: '/dashboard', headers: DOCUMENT_HEADERS },
    ];
    const started = Date.now();
    const run = await load(
      { label: 'soak', url: app.url, requests },
      { connections: plan.connections, duration: plan.warmupSeconds + plan.seconds },
    );
    const countFrom = started + plan.warmupSeconds * 1000;
    const samples = (await readFile(file, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map(
        (line) =>
          JSON.parse(line) as {
            t: number;
            rss: number;
            heapUsed: number;
            external: number;
            arrayBuffers: number;
          },
      )
      .filter((s) => s.t >= countFrom)
      .map((s) => ({
        atS: (s.t - countFrom) / 1000,
        rssMiB: s.rss / MiB,
        heapUsedMiB: s.heapUsed / MiB,
        externalMiB: s.external / MiB,
        arrayBuffersMiB: s.arrayBuffers / MiB,
      }));
    return {
      plan,
      run,
      samples,
      secondHalf: secondHalfGrowth(samples, plan.seconds),
      trend: secondHalfTrend(samples, plan.seconds),
    };
  } finally {
    await app.stop();
  }
}

function secondHalfGrowth(samples: MemorySample[], seconds: number): SoakResult['secondHalf'] {
  const half = seconds / 2;
  const third = half / 3;
  const growth = (startMiB: number, endMiB: number) => ({
    startMiB,
    endMiB,
    growthPct: ((endMiB - startMiB) / startMiB) * 100,
  });
  const early = samples.filter((s) => s.atS >= half && s.atS <= half + third);
  const late = samples.filter((s) => s.atS >= seconds - third);
  const rss = (window: MemorySample[]) => median(window.map((s) => s.rssMiB));
  const lowestHeap = (window: MemorySample[]) => Math.min(...window.map((s) => s.heapUsedMiB));
  if (early.length === 0 || late.length === 0) {
    throw new Error(
      `soak: no memory samples in a third of the second half (${samples.length} in all)`,
    );
  }
  return {
    rss: growth(rss(early), rss(late)),
    heapUsed: growth(lowestHeap(early), lowestHeap(late)),
  };
}

/** Windows the second half is cut into for the heap's lower envelope. */
const ENVELOPE_WINDOWS = 10;

function secondHalfTrend(samples: MemorySample[], seconds: number): SoakResult['trend'] {
  const half = samples.filter((s) => s.atS >= seconds / 2);
  // The heap and the memory it holds saw up and down with every collection: a line through every
  // sample follows where the saw happened to be. What a leak raises is what survives collection,
  // the lowest sample of each window. RSS moves in steps, so every sample counts.
  const windowS = seconds / 2 / ENVELOPE_WINDOWS;
  const lowest = (measure: (typeof TREND_MEASURES)[number]) =>
    Array.from({ length: ENVELOPE_WINDOWS }, (_, i) => {
      const from = seconds / 2 + i * windowS;
      const window = half.filter((s) => s.atS >= from && s.atS < from + windowS);
      const min = window.reduce<MemorySample | undefined>(
        (low, s) => (low === undefined || s[measure] < low[measure] ? s : low),
        undefined,
      );
      return min && { x: min.atS, y: min[measure] };
    }).filter((point) => point !== undefined);
  const fit = (measure: (typeof TREND_MEASURES)[number]): Trend => {
    const points =
      measure === 'rssMiB' ? half.map((s) => ({ x: s.atS, y: s[measure] })) : lowest(measure);
    const { slope, intercept } = leastSquares(points);
    const startMiB = intercept + (slope * seconds) / 2;
    const endMiB = intercept + slope * seconds;
    return {
      startMiB,
      endMiB,
      growthPct: ((endMiB - startMiB) / startMiB) * 100,
      slopeMiBPerMinute: slope * 60,
    };
  };
  return Object.fromEntries(TREND_MEASURES.map((m) => [m, fit(m)])) as SoakResult['trend'];
}
