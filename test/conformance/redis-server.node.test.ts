import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../tools/upstash-endpoint/redis-server';
import { createRespClient } from '../tools/upstash-endpoint/resp-client';

let first: RedisServer;
let second: RedisServer;

beforeAll(async () => {
  [first, second] = await Promise.all([startRedis(), startRedis()]);
});
afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
});

async function send(server: RedisServer, ...command: string[]) {
  const client = createRespClient({ port: server.port });
  try {
    const [reply] = await client.send([command]);
    return Buffer.isBuffer(reply) ? reply.toString('utf8') : reply;
  } finally {
    client.close();
  }
}

describe('startRedis', () => {
  it('gives each caller its own redis-server on a loopback port', async () => {
    expect(first.port).not.toBe(second.port);
    expect(first.url).toBe(`redis://127.0.0.1:${first.port}`);
    await send(first, 'SET', 'k', 'first');
    expect(await send(first, 'GET', 'k')).toBe('first');
    expect(await send(second, 'GET', 'k')).toBeNull();
  });

  it('runs redis-server without persistence', async () => {
    expect(await send(first, 'CONFIG', 'GET', 'save')).toEqual([
      Buffer.from('save'),
      Buffer.from(''),
    ]);
  });

  it('starts an empty redis-server again on the same port after stop() or kill()', async () => {
    await send(first, 'SET', 'k', 'before');
    await first.stop();
    await expect(send(first, 'PING')).rejects.toThrow(/ECONNREFUSED/);
    await first.start();
    expect(await send(first, 'GET', 'k')).toBeNull();

    await first.kill();
    await expect(send(first, 'PING')).rejects.toThrow(/ECONNREFUSED/);
    await first.start();
    expect(await send(first, 'PING')).toBe('PONG');
  });

  it('refuses to start a redis-server that is still running', async () => {
    await expect(second.start()).rejects.toThrow(/still running/);
  });
});
