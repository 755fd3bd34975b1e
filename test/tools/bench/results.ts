import type { AppVariantsResult } from './sections/app-variants';
import type { BundleResult } from './sections/bundle-size';
import type { ColdStartResult } from './sections/jwks-cold-start';
import type { ColdBurstResult, FloodResult } from './sections/jwks-fetches';
import type { LoadResult } from './sections/load';
import type { PeerTableResult } from './sections/peers';
import type { RateLimitCostResult } from './sections/rate-limit-cost';
import type { RaceOutcome } from './sections/refresh-race';
import type { SoakResult } from './sections/soak';
import type { VerifyCostResult } from './sections/verify-cost';
import type { CommitInfo } from './support/commit';
import type { MachineInfo } from './support/machine';
import type { BuildId } from './support/peer-builds';

/** A build or an install: done in this run, or reused because its inputs had not changed. */
export interface Step {
  skipped: boolean;
  ms: number;
}

/** Everything one `npm run bench` measured: written as REPORT.json, rendered as REPORT.md. */
export interface BenchResults {
  commit: CommitInfo;
  machine: MachineInfo;
  setup: {
    mode: 'full' | 'quick';
    appBuild: Step;
    peersInstall: Step;
    peerBuilds: Array<Step & { id: BuildId }>;
    peerVersions: Record<string, string>;
    appCopy: string[];
    accessTokenTtlSeconds: number;
    /** Wall time of each step of the run, in order. */
    timings: Array<{ step: string; seconds: number }>;
    durationS: number;
  };
  verifyCost: VerifyCostResult;
  rateLimit: RateLimitCostResult;
  bundle: BundleResult;
  coldStart: ColdStartResult;
  peers: PeerTableResult;
  appVariants: AppVariantsResult;
  jwks: { coldBurst: ColdBurstResult; coldBurstPage: ColdBurstResult; flood: FloodResult };
  race: RaceOutcome[];
  load: LoadResult;
  soak: SoakResult;
}

/** One target of the issue, judged from the figures above. */
export interface TargetVerdict {
  target: string;
  measured: string;
  met: boolean;
  /** For a missed target: what the measurements say costs the time and how it could be closed. */
  analysis?: string;
}
