import type { BenchResults } from '../results';
import {
  cellOf,
  cpuRatio,
  ROUTES,
  rpsRatio,
  type InstanceId,
  type PeerCell,
  type PeerTableResult,
  type RouteId,
} from '../sections/peers';
import { costDifference } from '../support/server-profile';
import { num, pct, ratio, table, us } from './format';

/** `(c) this project, middleware.ts (Edge)` */
export function variantName(result: PeerTableResult, id: InstanceId): string {
  const instance = result.instances.find((i) => i.id === id)!;
  return `(${instance.letter}) ${instance.name}`;
}

/** Section 2: the peer table, the auth checks it rests on, and where each variant's CPU goes. */
export function peersSection(r: BenchResults): string {
  const p = r.peers;
  const { plan } = p;
  return [
    '## 2. This project and its peers, over HTTP',
    '',
    `One tiny app, built once per variant (see Setup), one \`next start\` each, all running at the same time; autocannon on 127.0.0.1 with ${plan.connections} connections. After a ${plan.warmupSeconds} s warm-up of every (variant, route), ${plan.rounds} rounds of ${plan.seconds} s per (variant, route), route by route, the variants' order rotating each round; "vs" columns are the median over rounds of the two variants' ratio in the same round (measured moments apart). Every request carries the variant's own valid session (Cookie header: ${p.instances
      .filter((i, index, all) => all.findIndex((j) => j.session === i.session) === index)
      .map((i) => `${i.session} ${num(i.cookieBytes)} bytes`)
      .join(
        ', ',
      )}); (a) and (b) get this project's. Latency is autocannon's, in whole milliseconds.`,
    '',
    "CPU per request: the next-server's main thread (where JavaScript runs, the middleware's Edge sandbox included) and the whole process (every thread: libuv's pool, where WebCrypto's work runs, GC helpers, the profiler), both as user + system time from /proc over the measured stretches. A V8 CPU profile of the main thread, taken only while that server is measured (support/profile-on-signal.mjs; the same 1 ms sampling for every variant), splits the main thread's time by the code it ran in (below).",
    '',
    'Reading the figures on a shared 2-core machine: the servers are saturated (their main thread is almost never idle, see below), yet their main thread is on a core for only part of the wall time; the rest it waits for a core that other work holds. So rps moves with whatever else the machine runs, round to round, while CPU time per request is the steadier measure of what a variant costs.',
    '',
    '### Auth paths, checked before measuring',
    '',
    `Each variant must let its valid session through, and refuse no session and a forged one (${Object.entries(
      p.forgedAs,
    )
      .map(([kind, what]) => `${kind}: ${what}`)
      .join(
        '; ',
      )}); the run stops otherwise. (a) and (b) protect nothing. During the checks the stand-ins served ${p.checkTraffic.scalekitKeys} Scalekit key-set fetches (one per isolate of this project's variants), ${p.checkTraffic.workosJwks} WorkOS JWKS fetch(es) and ${p.checkTraffic.workosRefresh} WorkOS refresh grant(s) (authkit-nextjs refreshing the forged session inline, answered \`invalid_grant\`).`,
    '',
    table(
      ['variant', 'request', 'expected', 'observed', ''],
      p.checks.map((c) => [
        variantName(p, c.instance),
        c.check,
        c.expected,
        c.observed,
        c.ok ? 'ok' : 'FAILED',
      ]),
    ),
    '',
    routeTable(p, 'api', ['none', 'noop', 'edge', 'proxy', 'authkit', 'auth0'], 'noop'),
    routeTable(p, 'page', ['none', 'noop', 'edge', 'proxy', 'authkit', 'auth0'], 'noop'),
    routeTable(p, 'public', ['none', 'noop', 'edge', 'everywhere'], 'none'),
    publicSaving(p),
    breakdown(p, 'api', ['noop', 'edge', 'proxy', 'authkit', 'auth0']),
    breakdown(p, 'page', ['noop', 'edge', 'proxy', 'authkit', 'auth0']),
    breakdown(p, 'public', ['none', 'noop', 'edge', 'everywhere']),
  ].join('\n');
}

function routeTable(
  p: PeerTableResult,
  route: RouteId,
  ids: InstanceId[],
  baseline: InstanceId,
): string {
  const base = cellOf(p, baseline, route);
  const none = cellOf(p, 'none', route);
  return [
    `### ${ROUTES[route].label}: \`GET ${ROUTES[route].path}\``,
    '',
    table(
      [
        'variant',
        'median rps',
        'p50 ms',
        'p99 ms',
        'main-thread CPU µs/req',
        'process CPU µs/req',
        `rps vs (${letter(p, baseline)})`,
        `CPU vs (${letter(p, baseline)})`,
        ...(baseline === 'none' ? [] : ['rps vs (a)']),
        'rps per round',
      ],
      ids.map((id) => {
        const cell = cellOf(p, id, route);
        return [
          variantName(p, id),
          num(cell.median.rps),
          num(cell.median.p50Ms),
          num(cell.median.p99Ms),
          us(cell.mainThreadUsPerRequest),
          us(cell.processUsPerRequest),
          ratio(rpsRatio(cell, base)),
          ratio(cpuRatio(cell, base)),
          ...(baseline === 'none' ? [] : [ratio(rpsRatio(cell, none))]),
          cell.runs.map((run) => num(run.rps)).join(', '),
        ];
      }),
    ),
    '',
  ].join('\n');
}

function letter(p: PeerTableResult, id: InstanceId): string {
  return p.instances.find((i) => i.id === id)!.letter;
}

/** What moving public pages out of the middleware saved: `/` with the old matcher vs now. */
function publicSaving(p: PeerTableResult): string {
  const now = cellOf(p, 'edge', 'public');
  const old = cellOf(p, 'everywhere', 'public');
  return [
    `**What leaving public pages out of the matcher saved:** with the old matcher, \`/\` ran the middleware (a session check on every public request: ${variantName(p, 'everywhere')}); now it runs none. On \`/\`: ${num(old.median.rps)} → ${num(now.median.rps)} rps (${ratio(rpsRatio(now, old))}), main-thread CPU ${us(old.mainThreadUsPerRequest)} → ${us(now.mainThreadUsPerRequest)} µs per request (${signed(now.mainThreadUsPerRequest - old.mainThreadUsPerRequest)} µs), whole process ${us(old.processUsPerRequest)} → ${us(now.processUsPerRequest)} µs.`,
    '',
  ].join('\n');
}

/** The main thread's time per request by code, for several variants side by side. */
function breakdown(p: PeerTableResult, route: RouteId, ids: InstanceId[]): string {
  const cells = ids.map((id) => cellOf(p, id, route));
  const names = [...new Set(cells.flatMap((cell) => Object.keys(cell.byCategory)))]
    .map((name) => ({ name, max: Math.max(...cells.map((c) => c.byCategory[name] ?? 0)) }))
    .filter((entry) => entry.max >= 15)
    .sort((a, b) => b.max - a.max)
    .slice(0, 16);
  return [
    `**Where the main thread's time goes, ${ROUTES[route].label}** (µs per request: the CPU time above split in the CPU profile's proportions; middleware-bundle and server-bundle frames traced through the build's source maps to their package; categories of at least 15 µs in some variant)`,
    '',
    table(
      ['code (self time)', ...ids.map((id) => `(${letter(p, id)})`)],
      [
        ...names.map(({ name }) => [name, ...cells.map((cell) => us(cell.byCategory[name] ?? 0))]),
        [
          '**main thread, all code**',
          ...cells.map((cell) => `**${us(cell.mainThreadUsPerRequest)}**`),
        ],
        ['main thread idle (profile)', ...cells.map((cell) => pct(cell.idleShare))],
        [
          'main thread on a core (CPU time / wall time)',
          ...cells.map((cell) => pct(cell.onCoreShare)),
        ],
      ],
    ),
    '',
  ].join('\n');
}

/** The `limit` categories that grew most from `a` to `b`: `name +12 µs; …`. */
export function topIncreases(a: PeerCell, b: PeerCell, limit: number): string {
  return costDifference(a, b)
    .slice(0, limit)
    .map((c) => `${c.name} ${signed(c.deltaUs)} µs`)
    .join('; ');
}

export function signed(value: number): string {
  return `${value >= 0 ? '+' : '−'}${us(Math.abs(value))}`;
}
