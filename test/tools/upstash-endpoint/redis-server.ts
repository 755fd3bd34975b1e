import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRespClient } from './resp-client';
import { freePort } from '../../support/free-port';
import { binaryPath } from '../prerequisites/prerequisites';

const READY_TIMEOUT_MS = 5_000;

export interface RedisServer {
  port: number;
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /** Shuts redis-server down (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills redis-server (SIGKILL), as a crash would, and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts redis-server again on the same port, empty, after stop() or kill(). */
  start(): Promise<void>;
}

/**
 * Spawns a throwaway redis-server on a free loopback port, without persistence, and resolves once
 * it answers PING.
 *
 * @example
 * ```ts
 * const redis = await startRedis();
 * // ... talk to 127.0.0.1:redis.port ...
 * await redis.stop();
 * ```
 */
export async function startRedis(): Promise<RedisServer> {
  const redisServer = binaryPath('redis-server');

  // Another process can take the free port between probing and binding; try a fresh one then.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      let child = await spawnRedis(redisServer, port);
      return {
        port,
        url: `redis://127.0.0.1:${port}`,
        stop: () => terminate(child, 'SIGTERM'),
        kill: () => terminate(child, 'SIGKILL'),
        async start() {
          if (child.exitCode === null && child.signalCode === null) {
            throw new Error(`redis-server on port ${port} is still running`);
          }
          child = await spawnRedis(redisServer, port);
        },
      };
    } catch (error) {
      if (attempt === 3 || !String(error).includes('Address already in use')) throw error;
    }
  }
}

async function spawnRedis(redisServer: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    redisServer,
    [
      ...['--port', String(port), '--bind', '127.0.0.1'],
      ...['--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  let spawnError: Error | undefined;
  const outputEnded = new Promise((resolve) => child.once('close', resolve));
  child.once('error', (error) => (spawnError = error));
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  // A test run that dies without teardown must not leave redis-server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (spawnError) throw new Error(`could not start ${redisServer}: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      await outputEnded;
      throw new Error(`redis-server exited on port ${port} before answering PING:\n${output}`);
    }
    if (await answersPing(port)) return child;
    await sleep(20);
  }
  await terminate(child, 'SIGKILL');
  throw new Error(
    `redis-server did not answer PING on port ${port} within ${READY_TIMEOUT_MS} ms:\n${output}`,
  );
}

async function answersPing(port: number): Promise<boolean> {
  const client = createRespClient({ port });
  try {
    const [reply] = await client.send([['PING']]);
    return reply === 'PONG';
  } catch {
    return false;
  } finally {
    client.close();
  }
}

function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  return exited;
}
