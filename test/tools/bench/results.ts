import type { BundleResult } from './sections/bundle-size';
import type { HttpOverheadResult } from './sections/http-overhead';
import type { ColdStartResult } from './sections/jwks-cold-start';
import type { ColdBurstResult, FloodResult } from './sections/jwks-fetches';
import type { LoadResult } from './sections/load';
import type { MatcherResult } from './sections/matcher-check';
import type { ServerProfileResult } from './sections/server-profile';
import type { RaceOutcome } from './sections/refresh-race';
import type { VerifyCostResult } from './sections/verify-cost';
import type { MachineInfo } from './support/machine';

/** Everything one `npm run bench` measured: written as REPORT.json, rendered as REPORT.md. */
export interface BenchResults {
  machine: MachineInfo;
  setup: {
    mode: 'full' | 'quick';
    build: { skipped: boolean; ms: number };
    appCopy: string[];
    accessTokenTtlSeconds: number;
    durationS?: number;
  };
  verifyCost: VerifyCostResult;
  bundle: BundleResult;
  coldStart: ColdStartResult;
  matcher: MatcherResult;
  jwks: { coldBurst: ColdBurstResult; coldBurstPage: ColdBurstResult; flood: FloodResult };
  http: HttpOverheadResult;
  profiles: { middleware: ServerProfileResult; strict: ServerProfileResult };
  race: RaceOutcome[];
  load: LoadResult;
}

/** One target of the issue, judged from the figures above. */
export interface TargetVerdict {
  target: string;
  measured: string;
  met: boolean;
  /** For a missed target: what the measurements say costs the time and how it could be closed. */
  analysis?: string;
}
