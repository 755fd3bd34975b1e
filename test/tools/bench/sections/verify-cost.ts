import { readAccessSession } from '../../../../lib/edge/session';
import { frameName, selfTime, topCosts, type CostLine } from '../support/cpu-profile';
import { profileWhile } from '../support/inspector-profile';
import type { Services } from '../support/services';
import { ratio } from '../support/stats';
import type { PeerModules } from '../support/peer-modules';
import type { PeerSessions } from '../support/peer-sessions';
import { runEdgeTasks, type EdgeTask, type EdgeTaskInput } from '../verify/edge-tasks';
import { runInEdgeVm } from '../verify/edge-vm';
import { sealPool, type VerifyInputs } from '../verify/inputs';
import type { MeasureOptions, OpStat } from '../verify/measure';
import { peerTasks, type PeerTask } from '../verify/peer-tasks';
import { seedTask } from '../verify/seed';

/** A ratio of two rows' per-op cost, by median and by mean latency. */
export interface CostRatio {
  name: string;
  runtime: 'node' | 'edge-vm';
  byP50: number;
  byMean: number;
}

export interface VerifyCostResult {
  tokenBytes: number;
  cookieBytes: number;
  node: OpStat[];
  edgeVm: OpStat[];
  edgeVmBundleBytes: number;
  ratios: CostRatio[];
  /** Where a first-sight read spends this process's main thread (in-process, inspector profile). */
  firstSightProfile: { perOpUs: number; top: CostLine[] };
}

/** Every task runs in this many interleaved rounds. */
const ROUNDS = 4;

/** Iteration counts: ~0.2–1 s per row on an idle 2-core machine. `scale` < 1 for quick runs. */
function runs(scale: number): Record<EdgeTask | PeerTask | 'c', MeasureOptions> {
  const n = (iterations: number) => ({
    iterations: Math.max(50, Math.round(iterations * scale)),
    warmupIterations: Math.max(10, Math.round((iterations * scale) / 10)),
  });
  const slow = n(2_000);
  return {
    a: slow,
    b: slow,
    'b′': n(20_000),
    'a.decrypt': slow,
    'jose.decrypt': slow,
    'b.unseal': slow,
    'a.verify': slow,
    'jose.verify': slow,
    'b.verify': slow,
    c: n(1_000),
    'authkit.first': slow,
    'authkit.repeat': slow,
    'auth0.first': slow,
    'auth0.repeat': slow,
    'auth0.request': n(1_000),
  };
}

/**
 * Section 1: what verifying a session cookie costs, in this process (Node) and inside an
 * EdgeVM, against the WebCrypto floor, the seed's SDK path and the peers' per-request checks
 * (Node only). `env` is the Edge configuration (already in this process's `process.env`); the VM
 * gets its own copy.
 */
export async function measureVerifyCost(
  services: Services,
  env: Record<string, string>,
  inputs: VerifyInputs,
  peers: { modules: PeerModules; sessions: PeerSessions },
  scale: number,
): Promise<VerifyCostResult> {
  const plan = runs(scale);
  const poolSize = plan.b.iterations + plan.b.warmupIterations + 64;
  const taskInput = async (idPrefix: string): Promise<EdgeTaskInput> => ({
    ...inputs,
    idPrefix,
    firstSightPool: await sealPool(inputs, poolSize),
    runs: plan,
    rounds: ROUNDS,
  });

  const node = await runEdgeTasks(await taskInput(''), [
    await seedTask(services, inputs.token, plan.c),
    ...(await peerTasks(peers.modules, peers.sessions, plan)),
  ]);
  const vm = await runInEdgeVm(await taskInput('vm-'), env);

  const firstSightProfile = await profileFirstSight(inputs.token, await sealPool(inputs, 1_000));
  return {
    tokenBytes: inputs.token.length,
    cookieBytes: inputs.sealed.length,
    node,
    edgeVm: vm.stats,
    edgeVmBundleBytes: vm.bundleBytes,
    ratios: [
      ...ratios(node, 'node', '', [
        ['b', 'a'],
        ['b′', 'a'],
        ['c', 'b'],
        ['c', 'b′'],
        ['authkit.first', 'b'],
        ['auth0.first', 'b'],
        ['auth0.request', 'b'],
        ['authkit.repeat', 'b′'],
        ['auth0.repeat', 'b′'],
        ['auth0.request', 'b′'],
      ]),
      ...ratios(vm.stats, 'edge-vm', 'vm-', [
        ['b', 'a'],
        ['b′', 'a'],
      ]),
    ],
    firstSightProfile,
  };
}

function ratios(
  stats: OpStat[],
  runtime: CostRatio['runtime'],
  prefix: string,
  pairs: Array<[EdgeTask | PeerTask | 'c', EdgeTask]>,
): CostRatio[] {
  const find = (id: string) => {
    const stat = stats.find((s) => s.id === `${prefix}${id}`);
    if (!stat) throw new Error(`no measurement ${prefix}${id}`);
    return stat;
  };
  return pairs.map(([top, bottom]) => ({
    name: `${top}/${bottom}`,
    runtime,
    byP50: ratio(find(top).p50Us, find(bottom).p50Us),
    byMean: ratio(find(top).meanUs, find(bottom).meanUs),
  }));
}

/** Profiles 1,000 first-sight reads back to back and names the functions that take the time. */
async function profileFirstSight(token: string, pool: string[]) {
  const started = performance.now();
  const profile = await profileWhile(async () => {
    for (const value of pool) {
      const claims = await readAccessSession({ get: () => ({ value }) });
      if (claims?.sub === undefined || !token) throw new Error('no session');
    }
  });
  const elapsedUs = (performance.now() - started) * 1000;
  return { perOpUs: elapsedUs / pool.length, top: topCosts(selfTime(profile, frameName), 12) };
}
