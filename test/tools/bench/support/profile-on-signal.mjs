// Preloaded into a next-server by the bench (support/server-profile.ts): SIGUSR2 starts V8's CPU
// profiler on the main thread, the next SIGUSR2 stops it and writes the profile to
// `$BENCH_PROFILE_DIR/<n>.cpuprofile`. So a server is profiled only while the bench measures it:
// `--cpu-prof` would sample for the whole life of every server, idle ones included, and on a
// 2-core machine their sampling takes CPU from the one being measured.
import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.BENCH_PROFILE_DIR;
const interval = Number(process.env.BENCH_PROFILE_INTERVAL_US);
let session;
let written = 0;

process.on('SIGUSR2', () => {
  if (session === undefined) {
    session = new Session();
    session.connect();
    session.post('Profiler.enable', () =>
      session.post('Profiler.setSamplingInterval', { interval }, () =>
        session.post('Profiler.start'),
      ),
    );
    return;
  }
  const stopping = session;
  session = undefined;
  stopping.post('Profiler.stop', (error, result) => {
    stopping.disconnect();
    if (error) throw error;
    const file = join(dir, `${written++}.cpuprofile`);
    // Written under another name first: the bench waits for the final name to appear.
    writeFileSync(`${file}.partial`, JSON.stringify(result.profile));
    renameSync(`${file}.partial`, file);
  });
});
