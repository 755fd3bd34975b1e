import type { RateLimitCostResult } from '../sections/rate-limit-cost';
import { num, table, us } from './format';

/** The limiter on the open routes: what each request awaits before its handler runs. */
export function rateLimitSection(result: RateLimitCostResult): string {
  return [
    '## Rate limiter cost per request, in-process',
    '',
    `\`rateLimit(request, '${result.route}', limiter)\` (lib/server/rate-limit.ts), what \`authRoute({ rateLimit })\` awaits before the handler of \`/login\`, \`/api/callback\`, \`/api/refresh\`, \`/api/backchannel-logout\` and the webhook route; without a limiter the route awaits nothing, so each row is the limiter's whole cost. Calls cycle through ${num(result.clients)} client addresses; sequential calls timed with tinybench in interleaved rounds. The Upstash row talks to the local Upstash stand-in (real redis-server behind the REST protocol, in another process, on loopback): its latency is a loopback round trip, where a deployment pays one to its Upstash region; "CPU" is this process's only.`,
    '',
    table(
      ['limiter', 'p50 µs', 'p99 µs', 'mean µs', 'CPU µs per call', 'samples'],
      result.limiters.map((l) => [
        l.label,
        us(l.p50Us),
        us(l.p99Us),
        us(l.meanUs),
        us(l.cpuUsPerCall),
        num(l.samples),
      ]),
    ),
    '',
  ].join('\n');
}
