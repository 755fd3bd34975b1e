import { NextRequest } from 'next/server';
import {
  createMemoryLimiter,
  createUpstashLimiter,
  rateLimit,
  type Limiter,
} from '../../../../lib/server/rate-limit';
import { measureInterleaved, type OpStat } from '../verify/measure';

/** One limiter's cost per request: latency as the route waits for it, and this process's CPU. */
export interface LimiterCost extends OpStat {
  /** This process's CPU (user + system) per call, over the timed iterations. */
  cpuUsPerCall: number;
}

export interface RateLimitCostResult {
  /** The route whose limit every call counts against (its limit is far above the calls made). */
  route: 'login';
  /** Distinct client addresses the calls cycle through. */
  clients: number;
  limiters: LimiterCost[];
}

const ROUNDS = 4;
const CLIENTS = 1_000;

/**
 * The open routes' limiter, per request, in this process: `rateLimit(request, 'login', limiter)`
 * (what `authRoute({ rateLimit })` awaits before the handler) with the in-memory limiter (the
 * default without Upstash) and with the Upstash one against the local Upstash endpoint (real
 * redis-server behind the REST protocol, on loopback: a network round trip, its EVALSHA, and the
 * client's work). The calls cycle through {@link CLIENTS} client addresses, so neither limiter
 * answers from one hot key. Without a limiter the route awaits nothing, so each row is the cost.
 * `scale` < 1 for quick runs.
 *
 * @example
 * const cost = await measureRateLimitCost({ url: services.upstashUrl, token: services.upstashToken }, 1);
 */
export async function measureRateLimitCost(
  upstash: { url: string; token: string },
  scale: number,
): Promise<RateLimitCostResult> {
  const requests = Array.from(
    { length: CLIENTS },
    (_, i) =>
      new NextRequest('http://127.0.0.1:3999/login', {
        headers: { 'x-forwarded-for': `198.51.${i >> 8}.${i & 255}` },
      }),
  );
  const limiters: Array<{ id: string; label: string; limiter: Limiter; iterations: number }> = [
    {
      id: 'memory',
      label: 'in-memory limiter (default without Upstash)',
      limiter: createMemoryLimiter(),
      iterations: Math.max(1_000, Math.round(50_000 * scale)),
    },
    {
      id: 'upstash',
      label: '`@upstash/ratelimit` over the local Upstash REST endpoint (loopback)',
      limiter: createUpstashLimiter(upstash),
      iterations: Math.max(100, Math.round(2_000 * scale)),
    },
  ];
  // CPU is summed per call (warm-up included) and divided by the calls made.
  const cpu = new Map<string, { us: number; calls: number }>();
  const tasks = limiters.map(({ id, label, limiter, iterations }) => {
    const spent = { us: 0, calls: 0 };
    cpu.set(id, spent);
    return {
      id,
      label,
      runs: { iterations, warmupIterations: Math.ceil(iterations / 10) },
      op: async () => {
        const started = process.cpuUsage();
        await rateLimit(requests[spent.calls++ % CLIENTS]!, 'login', limiter);
        const { user, system } = process.cpuUsage(started);
        spent.us += user + system;
      },
    };
  });
  const stats = await measureInterleaved(tasks, ROUNDS);
  return {
    route: 'login',
    clients: CLIENTS,
    limiters: stats.map((stat) => {
      const { us, calls } = cpu.get(stat.id)!;
      return { ...stat, cpuUsPerCall: us / calls };
    }),
  };
}
