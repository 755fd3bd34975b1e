import 'server-only';
import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis';
import type { NextRequest } from 'next/server';
import { edgeConfig } from '@/lib/edge/config';

/**
 * The open routes' limits, per client and route: the one place to change them. Far above what a
 * person's own traffic needs (a sign-in is one `/login` and one callback; the session keeper
 * refreshes once per token lifetime per browser), yet low enough that a script hammering a route
 * (each `/login` writes a transaction cookie, each refresh or callback calls Scalekit) is stopped.
 * Keyed by the client's IP: many people behind one office NAT share a budget, hence the margin.
 */
export const RATE_LIMITS = {
  login: { requests: 300, windowSeconds: 60 },
  callback: { requests: 300, windowSeconds: 60 },
  refresh: { requests: 600, windowSeconds: 60 },
  'backchannel-logout': { requests: 600, windowSeconds: 60 },
  // Scalekit's deliveries come from its own few addresses; a 429 is retried like any non-2xx.
  webhooks: { requests: 600, windowSeconds: 60 },
} as const satisfies Record<string, { requests: number; windowSeconds: number }>;

export type RateLimitedRoute = keyof typeof RATE_LIMITS;

/** How a limiter answers one request. */
export interface RateDecision {
  allowed: boolean;
  /** When the client's window ends (milliseconds since the epoch). */
  resetAt: number;
}

/** Counts one request of `client` on `route`. */
export type Limiter = (route: RateLimitedRoute, client: string) => Promise<RateDecision>;

/** The limiter is protection, not authentication: a store this slow lets the request through. */
const UPSTASH_TIMEOUT_MS = 300;
/** Clients the in-memory limiter remembers at once; the oldest windows leave first. */
const MAX_MEMORY_CLIENTS = 10_000;

/**
 * Fixed windows in this process's memory (one instance only): the default without Upstash.
 *
 * @example
 * const limiter = createMemoryLimiter();
 * await limiter('login', '203.0.113.7'); // { allowed: true, resetAt: … }
 */
export function createMemoryLimiter(now: () => number = Date.now): Limiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  return async (route, client) => {
    const { requests, windowSeconds } = RATE_LIMITS[route];
    const key = `${route}\n${client}`;
    let window = windows.get(key);
    if (!window || window.resetAt <= now()) {
      windows.delete(key);
      window = { count: 0, resetAt: now() + windowSeconds * 1000 };
      windows.set(key, window);
      for (const [oldKey, old] of windows) {
        if (old.resetAt > now() && windows.size <= MAX_MEMORY_CLIENTS) break;
        windows.delete(oldKey);
      }
    }
    window.count += 1;
    return { allowed: window.count <= requests, resetAt: window.resetAt };
  };
}

/**
 * `@upstash/ratelimit` fixed windows shared by every instance. When Upstash fails or is slower
 * than 300 ms the request is let through: a Redis outage must not lock people out of signing in.
 *
 * @example
 * const limiter = createUpstashLimiter({ url, token });
 */
export function createUpstashLimiter(credentials: { url: string; token: string }): Limiter {
  const redis = new Redis({ ...credentials, enableTelemetry: false });
  const limiters = new Map<RateLimitedRoute, Ratelimit>();
  return async (route, client) => {
    let limiter = limiters.get(route);
    if (!limiter) {
      const { requests, windowSeconds } = RATE_LIMITS[route];
      limiter = new Ratelimit({
        redis,
        limiter: Ratelimit.fixedWindow(requests, `${windowSeconds} s`),
        prefix: `ratelimit:${route}`,
        timeout: UPSTASH_TIMEOUT_MS,
        analytics: false,
      });
      limiters.set(route, limiter);
    }
    try {
      const { success, reset } = await limiter.limit(client);
      return { allowed: success, resetAt: reset };
    } catch {
      return { allowed: true, resetAt: Date.now() };
    }
  };
}

let limiter: Limiter | undefined;

/** The process-wide limiter: Upstash when configured, this process's memory otherwise. */
function processLimiter(): Limiter {
  const { upstash } = edgeConfig();
  limiter ??= upstash ? createUpstashLimiter(upstash) : createMemoryLimiter();
  return limiter;
}

/**
 * Counts this request against its client's limit on `route`: null when it may go on, otherwise
 * how many seconds until it may try again (for `Retry-After`). `authRoute({ rateLimit }, handler)`
 * answers with 429 `rate_limited`.
 *
 * @example
 * const retryAfter = await rateLimit(request, 'login'); // null, or seconds
 */
export async function rateLimit(
  request: NextRequest,
  route: RateLimitedRoute,
  limit: Limiter = processLimiter(),
): Promise<number | null> {
  const { allowed, resetAt } = await limit(route, clientOf(request));
  return allowed ? null : Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));
}

/**
 * The client's address as the platform's proxy reports it: the first `X-Forwarded-For` hop (set
 * by Vercel and most proxies), else `X-Real-IP`; clients that name none share one budget.
 */
function clientOf(request: NextRequest): string {
  const forwarded = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  return forwarded || request.headers.get('x-real-ip')?.trim() || 'unknown';
}
