import { Session } from 'node:inspector/promises';
import type { CpuProfile } from './cpu-profile';

/** CPU-profiles this process (main thread) while `work` runs, sampling every 100 µs. */
export async function profileWhile(work: () => Promise<void>): Promise<CpuProfile> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    let stopped: { profile: unknown } | undefined;
    try {
      await work();
    } finally {
      stopped = await session.post('Profiler.stop');
    }
    return stopped.profile as CpuProfile;
  } finally {
    session.disconnect();
  }
}
