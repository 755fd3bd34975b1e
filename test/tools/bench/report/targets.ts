import type { BenchResults, TargetVerdict } from '../results';
import { costDifference } from '../sections/server-profile';
import type { OpStat } from '../verify/measure';
import { kb, num, pct, ratio, us } from './format';

const GZIP_LIMIT_BYTES = 60 * 1024;

/** Section 7: each target of the issue, met or missed, with the measured cause of each miss. */
export function judgeTargets(results: BenchResults): TargetVerdict[] {
  const { verifyCost, http, jwks, race, load, bundle } = results;
  const nodeRatio = (name: string) =>
    verifyCost.ratios.find((r) => r.runtime === 'node' && r.name === name)!.byP50;
  const vmRatio = (name: string) =>
    verifyCost.ratios.find((r) => r.runtime === 'edge-vm' && r.name === name)?.byP50 ?? NaN;
  const upstashRace = race.find((r) => r.approach.startsWith('Upstash'))!;
  const floodAllowed = Math.max(1, Math.ceil(jwks.flood.seconds / jwks.flood.cooldownS));
  const minGap = gaps(jwks.flood.fetchTimesS);

  const verdicts: TargetVerdict[] = [
    {
      target: 'b/a ≤ 1.3 (first sight vs the WebCrypto floor, by median)',
      measured: `Node ${ratio(nodeRatio('b/a'))}, EdgeVM ${ratio(vmRatio('b/a'))}`,
      met: nodeRatio('b/a') <= 1.3,
    },
    {
      target: 'b′/a ≤ 0.1 (cookie seen before vs the floor)',
      measured: `Node ${ratio(nodeRatio('b′/a'))}, EdgeVM ${ratio(vmRatio('b′/a'))}`,
      met: nodeRatio('b′/a') <= 0.1,
    },
    {
      target: 'c/b′ ≥ 10 (seed SDK path vs a cookie seen before)',
      measured: ratio(nodeRatio('c/b′')),
      met: nodeRatio('c/b′') >= 10,
    },
    {
      target: 'protected/unprotected rps ≥ 0.95, API route',
      measured: ratio(http.api.ratios.rps),
      met: http.api.ratios.rps >= 0.95,
    },
    {
      target: 'protected/unprotected rps ≥ 0.95, page',
      measured: ratio(http.page.ratios.rps),
      met: http.page.ratios.rps >= 0.95,
    },
    {
      target: 'JWKS: 1 fetch for 100 concurrent cold requests',
      measured: `${jwks.coldBurst.keysFetches} fetch(es)`,
      met: jwks.coldBurst.keysFetches === 1,
    },
    {
      target: 'JWKS: ≤ 1 fetch per 30 s cooldown under 1,000 unknown kids',
      measured: `${jwks.flood.keysFetches} fetch(es) in ${num(jwks.flood.seconds, 1)} s (allowed ${floodAllowed})${
        minGap === undefined ? '' : `, closest two ${num(minGap, 1)} s apart`
      }`,
      met:
        jwks.flood.keysFetches <= floodAllowed &&
        (minGap === undefined || minGap >= jwks.flood.cooldownS - 1),
    },
    {
      target: 'refresh race (Upstash, 2 instances): 1 redemption, 0 sign-outs',
      measured: `${upstashRace.tokenEndpointCalls} redemption(s), ${upstashRace.signOuts} sign-out(s)`,
      met: upstashRace.tokenEndpointCalls === 1 && upstashRace.signOuts === 0,
    },
    {
      target: `load: 0 errors in ${num(load.totalRequests)} requests`,
      measured: `${load.errors} error(s)`,
      met: load.errors === 0,
    },
    {
      target: 'middleware bundle ≤ 60 KB gzip (as built by next build)',
      measured: `${kb(bundle.build.gzipBytes)} (esbuild, next external: ${kb(bundle.esbuild.gzipBytes)})`,
      met: bundle.build.gzipBytes <= GZIP_LIMIT_BYTES,
    },
  ];
  return verdicts.map((verdict, index) =>
    verdict.met ? verdict : { ...verdict, analysis: ANALYSES[index]?.(results) },
  );
}

function gaps(times: number[]): number | undefined {
  if (times.length < 2) return undefined;
  return Math.min(...times.slice(1).map((time, i) => time - times[i]!));
}

type Analysis = (results: BenchResults) => string;

const ANALYSES: Array<Analysis | undefined> = [
  firstSightAnalysis,
  (r) => {
    const hit = stat(r.verifyCost.node, 'b′');
    return `A cache hit costs ${us(hit.p50Us)} µs at the median: readAccessSession's config read, cookie lookup and Map access behind one await. Only the await could go (a synchronous fast path).`;
  },
  (r) =>
    `The seed path costs ${us(stat(r.verifyCost.node, 'c').p50Us)} µs; a cache hit ${us(stat(r.verifyCost.node, 'b′').p50Us)} µs.`,
  (r) => httpAnalysis(r, 'API'),
  (r) => httpAnalysis(r, 'page'),
  (r) =>
    `${r.jwks.coldBurst.keysFetches} fetches for ${r.jwks.coldBurst.requests} cold requests: more than one key set fetched, either because concurrent verifies in one isolate did not share the first reload (lib/edge/jwks.ts) or because next-server ran the middleware in more than one isolate.`,
  (r) =>
    `/keys was fetched at ${r.jwks.flood.fetchTimesS.map((t) => `${num(t, 1)} s`).join(', ')} into the flood: the unknown-kid cooldown (lib/edge/jwks.ts) did not hold.`,
  (r) => {
    const outcome = r.race.find((o) => o.approach.startsWith('Upstash'))!;
    return `Statuses ${JSON.stringify(outcome.statuses)}: the cross-instance lock in lib/server/refresh-single-flight.ts did not elect a single redeemer.`;
  },
  (r) =>
    `Statuses per instance: ${r.load.instances.map((i) => `${i.name} ${JSON.stringify(i.run.statusCodes)} (${i.run.errors} socket errors/timeouts)`).join('; ')}.`,
  bundleAnalysis,
];

function stat(stats: OpStat[], id: string): OpStat {
  const found = stats.find((s) => s.id === id);
  if (!found) throw new Error(`no measurement ${id}`);
  return found;
}

/** A difference of two medians, or a note when noise made it negative. */
function share(differenceUs: number): string {
  return differenceUs >= 0
    ? `${us(differenceUs)} µs`
    : `≈ 0 µs (${us(differenceUs)}: within noise)`;
}

function firstSightAnalysis(r: BenchResults): string {
  const s = (id: string) => stat(r.verifyCost.node, id).p50Us;
  const vm = (id: string) => stat(r.verifyCost.edgeVm, `vm-${id}`).p50Us;
  const joseShare = (at: (id: string) => number) =>
    (at('jose.decrypt') + at('jose.verify') - at('a.decrypt') - at('a.verify')) / at('b');
  const [nodeJoseShare, vmJoseShare] = [joseShare(s), joseShare(vm)];
  const extra = s('b') - s('a');
  const top = r.verifyCost.firstSightProfile.top
    .slice(0, 5)
    .map((line) => `${line.name} ${pct(line.share)}`)
    .join('; ');
  return [
    `Medians in Node: b ${us(s('b'))} µs vs a ${us(s('a'))} µs, ${us(extra)} µs more.`,
    `Opening the cookie: unseal() ${us(s('b.unseal'))} µs vs raw AES-GCM ${us(s('a.decrypt'))} µs; bare jose compactDecrypt with the same key ${us(s('jose.decrypt'))} µs, so jose's JWE handling accounts for ${share(s('jose.decrypt') - s('a.decrypt'))} and lib/edge/seal.ts (kid parsing, key lookup, UTF-8 decode) for ${share(s('b.unseal') - s('jose.decrypt'))}.`,
    `Verifying: verifyAccessToken() ${us(s('b.verify'))} µs vs raw RS256 ${us(s('a.verify'))} µs; bare jose jwtVerify with the imported key ${us(s('jose.verify'))} µs, so jose's JWS/claims handling accounts for ${share(s('jose.verify') - s('a.verify'))} and the key set + claim reading in lib/edge for ${share(s('b.verify') - s('jose.verify'))}.`,
    `The two halves measured alone add up to ${us(s('b.unseal') + s('b.verify'))} µs against b's ${us(s('b'))} µs; the rest is readAccessSession's own work (cookie lookup, cache miss and insert) and the await between the halves.`,
    `Inside the EdgeVM the same split reads: unseal() ${us(vm('b.unseal'))} µs vs raw AES-GCM ${us(vm('a.decrypt'))} µs (bare jose ${us(vm('jose.decrypt'))} µs), verifyAccessToken() ${us(vm('b.verify'))} µs vs raw RS256 ${us(vm('a.verify'))} µs (bare jose ${us(vm('jose.verify'))} µs), with the floor at ${us(vm('a'))} µs (Node: ${us(s('a'))} µs)${vmJoseShare > nodeJoseShare ? ": jose's share is larger in the VM" : ''}.`,
    `Main-thread profile of 1,000 first sights (${us(r.verifyCost.firstSightProfile.perOpUs)} µs/op under the profiler), top self time: ${top}.`,
    'Closing it: the WebCrypto calls themselves are at the floor; the gap is jose parsing each compact serialization (base64url + JSON of header and payload), its await chain, and the per-call `crypto.subtle` hops. Options: decrypt and verify in one pass with keys imported once (raw `crypto.subtle.decrypt`/`verify` on the split token, as the floor does, then a single JSON.parse of the payload and the same claim checks); or accept it: the verified-session cache (b′) answers every later request of the session.',
  ].join(' ');
}

function httpAnalysis(r: BenchResults, which: 'API' | 'page'): string {
  const pair = which === 'API' ? r.http.api : r.http.page;
  const profile = r.profiles.middleware;
  const [outside, behind] = profile.phases;
  if (!outside || !behind) return 'No profile.';
  const differences = costDifference(outside, behind);
  const top = differences
    .slice(0, 6)
    .map((c) => `${c.name} +${us(c.deltaUs)} µs`)
    .join('; ');
  const ours = differences
    .filter((c) => /lib\/edge|jose|middleware\.ts/.test(c.name))
    .reduce((sum, c) => sum + c.deltaUs, 0);
  const total = behind.busyUsPerRequest - outside.busyUsPerRequest;
  return [
    `${pair.a}: ${num(pair.median.a.rps)} rps vs ${pair.b}: ${num(pair.median.b.rps)} rps (medians).`,
    `CPU profile of next-server (${num(profile.requestsPerPhase)} requests per phase): main-thread CPU ${us(outside.busyUsPerRequest)} µs/request outside the matcher vs ${us(behind.busyUsPerRequest)} µs behind it (+${us(total)} µs).`,
    `Largest increases: ${top}.`,
    `Of the increase, lib/edge, jose and middleware.ts inside the middleware bundle take ${us(ours)} µs (${pct(total > 0 ? ours / total : 0)}); the rest is Next running a middleware at all under \`next start\`: its Edge sandbox on the Node side, the adapter that builds NextRequest/NextResponse, the request and header copies between the two, and the garbage they leave.`,
    'Closing it cannot come from lib/edge, whose verify is a cache hit here. What would: Next 16 `proxy.ts` (Node runtime, no sandbox round trip), at the cost of the Edge runtime this project targets on Vercel (where middleware runs on the edge network rather than inside next-server, so this overhead is not what Vercel users pay); or a matcher limited to the protected paths (today every path runs the middleware so that spoofed `x-auth-*` headers are stripped everywhere; routes could ignore them instead).',
  ].join(' ');
}

function bundleAnalysis(r: BenchResults): string {
  const lines = r.bundle.build.byPackage
    .slice(0, 5)
    .map((p) => `${p.name} ${kb(p.bytes)} raw ≈ ${kb(p.gzipBytesApprox)} gzip`)
    .join('; ');
  const next = r.bundle.build.byPackage.find((p) => p.name === 'next');
  return [
    `By source map: ${lines}.`,
    next
      ? `Next's own Edge adapter and its compiled dependencies are ≈ ${kb(next.gzipBytesApprox)} gzip that no app code can remove; the esbuild bundle of the project's middleware without \`next\` is ${kb(r.bundle.esbuild.gzipBytes)} gzip.`
      : '',
  ]
    .filter(Boolean)
    .join(' ');
}
