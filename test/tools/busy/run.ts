/**
 * `npm run test:busy`: `npm test` on a busy machine. Starts one CPU hog per core (a child process
 * spinning in a loop), runs `npm test` (pretest included) while they hold every core, then stops
 * them; exits with the tests' status. The suite must pass like this: a test that fails only under
 * load depends on timing it does not control, or has found a product bug.
 *
 * Each hog also watches this process and leaves as soon as it is gone, so a killed run leaves no
 * spinning process behind. `BUSY_HOGS` sets how many hogs (default: one per core).
 *
 * @example
 * npm run test:busy
 * npm run test:busy -- test/flows   # extra arguments go to vitest
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';

const HOG = `
const parent = Number(process.argv[1]);
let check = 0;
for (;;) {
  if (++check % 10_000_000 === 0) {
    try { process.kill(parent, 0); } catch { process.exit(0); }
  }
}`;

const count = Number(process.env.BUSY_HOGS ?? availableParallelism());
const hogs: ChildProcess[] = Array.from({ length: count }, () =>
  spawn(process.execPath, ['-e', HOG, String(process.pid)], { stdio: 'ignore' }),
);
const stopHogs = () => {
  for (const hog of hogs) if (hog.exitCode === null) hog.kill('SIGKILL');
};
process.once('exit', stopHogs);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    stopHogs();
    process.exit(130);
  });
}

console.error(`[test:busy] ${count} CPU hog(s) spinning; running npm test`);
const tests = spawn('npm', ['test', '--', ...process.argv.slice(2)], { stdio: 'inherit' });
tests.on('exit', (code, signal) => {
  stopHogs();
  console.error(`[test:busy] npm test ended (${signal ?? `exit ${code}`}); hogs stopped`);
  process.exit(code ?? 1);
});
