import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** A child process started by the bench, in its own process group, with its recent output. */
export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** The last 20 KB of stdout and stderr, for error messages. */
  output(): string;
  exited(): boolean;
}

const running = new Set<Child>();

/**
 * Spawns `command` as the leader of a new process group (so stopping it stops whatever it
 * started, e.g. redis-server under the services process) and remembers it until it exits.
 */
export function spawnChild(
  name: string,
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): Child {
  const child = spawn(command, args, {
    ...options,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${name}: could not spawn ${command}`);
  let text = '';
  const append = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const handle: Child = {
    name,
    process: child,
    pid: child.pid,
    output: () => text,
    exited: () => child.exitCode !== null || child.signalCode !== null,
  };
  running.add(handle);
  child.once('exit', () => running.delete(handle));
  return handle;
}

/** SIGTERM to the child's group, then SIGKILL after `graceMs`; resolves once the leader exited. */
export async function stopChild(child: Child, graceMs = 5_000): Promise<void> {
  if (child.exited()) return;
  const exited = new Promise<void>((resolve) => child.process.once('exit', () => resolve()));
  signalGroup(child, 'SIGTERM');
  if ((await Promise.race([exited.then(() => 'exited'), sleep(graceMs)])) !== 'exited') {
    signalGroup(child, 'SIGKILL');
    await exited;
  }
  // Whatever the leader started and left behind goes too.
  signalGroup(child, 'SIGKILL');
}

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((child) => stopChild(child)));
}

function signalGroup(child: Child, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

/**
 * Leaves no child behind: on a normal exit or a crash every remaining group gets SIGKILL; on
 * SIGINT/SIGTERM/SIGHUP they are stopped gracefully first.
 */
export function installChildCleanup(): void {
  process.once('exit', () => {
    for (const child of running) signalGroup(child, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`[bench] ${signal}: stopping child processes`);
      void stopAllChildren().finally(() => process.exit(130));
    });
  }
}
