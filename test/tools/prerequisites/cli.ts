// `npm test` runs this first (the `pretest` script), and so does `.ci/run`: silent when redis-server
// and Chromium are there; on Debian as root it installs what is missing with apt-get; anywhere else
// it stops with one line saying how to get them, before any test starts.
import { spawnSync } from 'node:child_process';
import { overrideVariable, thisMachine } from './locate-binary';
import { planPrerequisites } from './prerequisites';

const plan = planPrerequisites(thisMachine());

if (plan.kind === 'stop') {
  console.error(plan.line);
  process.exit(1);
}

if (plan.kind === 'install') {
  console.log(plan.line);
  aptGet(['update']);
  aptGet(['install', '-y', ...plan.packages]);
  const after = planPrerequisites(thisMachine());
  if (after.kind === 'install') {
    const variables = after.packages.map(overrideVariable).join(' and ');
    console.error(
      `apt-get installed ${after.packages.join(' ')}, yet the tests cannot find it: set ${variables}.`,
    );
    process.exit(1);
  }
}

/** Runs apt-get without a terminal (CI, no stdin); its output is shown only when it fails. */
function aptGet(args: string[]): void {
  const result = spawnSync('apt-get', ['-qq', ...args], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status === 0) return;
  process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
  console.error(
    `apt-get ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}).`,
  );
  process.exit(1);
}
