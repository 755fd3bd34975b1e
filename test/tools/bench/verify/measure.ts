import { Bench } from 'tinybench';

/** One operation's cost, from per-iteration latency samples. */
export interface OpStat {
  id: string;
  label: string;
  samples: number;
  /** 1 / mean latency. */
  opsPerSec: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
}

export interface MeasureOptions {
  /** Timed iterations in all (split over the rounds): pools of inputs are sized by it. */
  iterations: number;
  /** Untimed iterations before the first round. */
  warmupIterations: number;
}

/** An operation to time. */
export interface Task {
  id: string;
  label: string;
  op: () => Promise<unknown>;
  runs: MeasureOptions;
}

/**
 * Times every task in `rounds` interleaved rounds (round 1 runs each task for a share of its
 * iterations, then round 2, …) so that a shared machine's drift hits all tasks alike and ratios
 * between them stay fair; the samples of all rounds are pooled. Each round is a tinybench run with
 * a fixed iteration count and no time budget, so pre-generated input pools are never overrun.
 * Plain JavaScript: runs the same in Node and inside the EdgeVM.
 */
export async function measureInterleaved(tasks: Task[], rounds: number): Promise<OpStat[]> {
  const samples = new Map<string, number[]>(tasks.map((task) => [task.id, []]));
  for (let round = 0; round < rounds; round++) {
    for (const task of tasks) {
      const iterations = Math.ceil(task.runs.iterations / rounds);
      const warmupIterations = round === 0 ? task.runs.warmupIterations : 0;
      samples.get(task.id)!.push(...(await sample(task, iterations, warmupIterations)));
    }
  }
  return tasks.map((task) => toOpStat(task.id, task.label, samples.get(task.id)!));
}

async function sample(task: Task, iterations: number, warmupIterations: number): Promise<number[]> {
  const bench = new Bench({
    iterations,
    time: 0,
    warmup: warmupIterations > 0,
    warmupIterations,
    warmupTime: 0,
    retainSamples: true,
    throws: true,
  });
  bench.add(task.label, task.op);
  const [result] = await bench.run();
  const outcome = result?.result;
  if (!outcome || outcome.state !== 'completed' || !outcome.latency.samples) {
    throw new Error(`${task.label}: benchmark ${outcome?.state ?? 'missing'}`);
  }
  return [...outcome.latency.samples];
}

function toOpStat(id: string, label: string, samplesMs: number[]): OpStat {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number) => {
    const position = (sorted.length - 1) * q;
    const low = sorted[Math.floor(position)]!;
    const high = sorted[Math.ceil(position)]!;
    return low + (high - low) * (position - Math.floor(position));
  };
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return {
    id,
    label,
    samples: sorted.length,
    opsPerSec: 1000 / mean,
    meanUs: mean * 1000,
    p50Us: at(0.5) * 1000,
    p99Us: at(0.99) * 1000,
  };
}

/** Hands out the next value of a pre-generated pool; running out is an error, never a reuse. */
export function poolReader<T>(pool: readonly T[]): () => T {
  let next = 0;
  return () => {
    if (next >= pool.length) throw new Error(`input pool of ${pool.length} exhausted`);
    return pool[next++]!;
  };
}
