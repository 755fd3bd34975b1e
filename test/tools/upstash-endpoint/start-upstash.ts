import { Redis } from '@upstash/redis';
import { randomBytes } from 'node:crypto';
import { startRedis, type RedisServer } from './redis-server';
import { startRestServer, type RestServer } from './rest-server';

export interface LocalUpstash {
  /** REST URL for `@upstash/redis` or `UPSTASH_REDIS_REST_URL`. */
  url: string;
  /** Bearer token the endpoint accepts. */
  token: string;
  /** The redis-server behind the endpoint, to stop, kill and start again for fault tests. */
  redis: Pick<RedisServer, 'port' | 'stop' | 'kill' | 'start'>;
  /** The REST endpoint, to inject faults. */
  rest: Pick<RestServer, 'setFault'>;
  /** Stops the endpoint, then redis-server. */
  close(): Promise<void>;
}

/**
 * A local stand-in for an Upstash database: a real redis-server behind an endpoint speaking the
 * Upstash REST protocol.
 *
 * @example
 * ```ts
 * const upstash = await startUpstash();
 * const redis = new Redis({ url: upstash.url, token: upstash.token });
 * afterAll(() => upstash.close());
 * ```
 */
export async function startUpstash(): Promise<LocalUpstash> {
  const token = randomBytes(16).toString('hex');
  const redis = await startRedis();
  let rest: RestServer;
  try {
    rest = await startRestServer({ redisPort: redis.port, token });
  } catch (error) {
    await redis.stop();
    throw error;
  }
  return {
    url: rest.url,
    token,
    redis,
    rest,
    async close() {
      await rest.close();
      await redis.stop();
    },
  };
}

/**
 * A raw `@upstash/redis` client for tests to look behind the store, already past its first
 * request: loading the HTTP client alone can outlast the store's 300 ms default on a busy machine.
 */
export async function connectReader(upstash: LocalUpstash): Promise<Redis> {
  const reader = new Redis({
    url: upstash.url,
    token: upstash.token,
    enableTelemetry: false,
    automaticDeserialization: false,
  });
  await reader.ping();
  return reader;
}
