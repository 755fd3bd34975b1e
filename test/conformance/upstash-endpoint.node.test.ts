import { Redis } from '@upstash/redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startUpstash, type LocalUpstash } from '../tools/upstash-endpoint/start-upstash';

let upstash: LocalUpstash;
let redis: Redis;
let raw: Redis;
let n = 0;
const key = (name: string) => `rest-server:${++n}:${name}`;

beforeAll(async () => {
  upstash = await startUpstash();
  const config = { url: upstash.url, token: upstash.token, enableTelemetry: false };
  // The client as the app would use it (auto-pipelining, JSON deserialisation, base64 responses)...
  redis = new Redis({ ...config, retry: { retries: 0 } });
  // ...and one that returns exactly what Redis stored.
  raw = new Redis({ ...config, retry: { retries: 0 }, automaticDeserialization: false });
});

afterAll(() => upstash?.close());

afterEach(() => upstash.rest.setFault(null));

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${upstash.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${upstash.token}`,
      'content-type': 'application/json',
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

describe('the local Upstash REST endpoint', () => {
  it('sets and gets a string, honouring NX and PX', async () => {
    const k = key('nx');
    expect(await redis.set(k, 'first', { nx: true, px: 5_000 })).toBe('OK');
    expect(await redis.set(k, 'second', { nx: true, px: 5_000 })).toBeNull();
    expect(await redis.get(k)).toBe('first');
    expect(await redis.pttl(k)).toBeGreaterThan(4_000);
  });

  it('answers integers as numbers and missing keys as null', async () => {
    const k = key('counter');
    expect(await redis.incr(k)).toBe(1);
    expect(await redis.incrby(k, 41)).toBe(42);
    expect(await redis.get(key('missing'))).toBeNull();
  });

  it('answers nested arrays from LRANGE, HGETALL and MGET, nil included', async () => {
    const list = key('list');
    const hash = key('hash');
    const [a, b] = [key('a'), key('b')];
    await raw.rpush(list, 'x', 'OK', 'é');
    await raw.hset(hash, { field: 'value', other: 'ünïcode' });
    await raw.set(a, 'A');
    await raw.set(b, 'B');

    expect(await raw.lrange(list, 0, -1)).toEqual(['x', 'OK', 'é']);
    expect(await redis.hgetall(hash)).toEqual({ field: 'value', other: 'ünïcode' });
    // Without deserialisation the client hands back HGETALL's flat array as is.
    expect(await raw.hgetall(hash)).toEqual(['field', 'value', 'other', 'ünïcode']);
    expect(await raw.mget(a, key('nope'), b)).toEqual(['A', null, 'B']);
  });

  it.each([
    ['unicode', 'héllo wörld ✓ 🚀 日本語'],
    ['control characters and CRLF', 'a\r\nb\u0000c\u0001\u007f'],
    ['a value that is itself valid base64', 'aGVsbG8='],
    ['the base64 of "OK"', 'T0s='],
    ['the literal "OK"', 'OK'],
    ['JSON', '{"jwks":{"keys":[]},"uat":1700000000000}'],
    ['an empty string', ''],
  ])('round-trips %s unchanged', async (_, value) => {
    const k = key('roundtrip');
    await raw.set(k, value);
    expect(await raw.get(k)).toBe(value);
  });

  it('base64-encodes bulk and status strings only when asked to, leaving integers as numbers', async () => {
    const k = key('encoding');
    const encoded = await post('/', ['set', k, 'hi'], { 'Upstash-Encoding': 'base64' });
    expect(await encoded.json()).toEqual({ result: 'T0s=' });
    const plain = await post('/pipeline', [
      ['get', k],
      ['strlen', k],
      ['get', key('none')],
    ]);
    expect(await plain.json()).toEqual([{ result: 'hi' }, { result: 2 }, { result: null }]);
    const nested = await post('/', ['mget', k, key('none')], { 'Upstash-Encoding': 'base64' });
    expect(await nested.json()).toEqual({ result: ['aGk=', null] });
  });

  it('turns numbers and booleans in a command into Redis arguments', async () => {
    const k = key('args');
    expect(await (await post('/', ['set', k, 12.5, 'px', 5000])).json()).toEqual({ result: 'OK' });
    expect(await (await post('/', ['get', k])).json()).toEqual({ result: '12.5' });
    await post('/', ['set', k, true]);
    expect(await (await post('/', ['get', k])).json()).toEqual({ result: 'true' });
  });

  it("passes Redis' own error text through, unencoded", async () => {
    const k = key('wrongtype');
    await redis.set(k, 'not a list');
    await expect(redis.lpush(k, 'x')).rejects.toThrow(/WRONGTYPE Operation against a key/);
    await expect(redis.incr(k)).rejects.toThrow('ERR value is not an integer or out of range');
    const answer = await post('/', ['incr', k], { 'Upstash-Encoding': 'base64' });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ error: 'ERR value is not an integer or out of range' });
  });

  it('lets createScript fall back from EVALSHA to EVAL when Redis answers NOSCRIPT', async () => {
    const k = key('script');
    await raw.set(k, 'scripted');
    await redis.scriptFlush();
    const script = raw.createScript<string>(`return redis.call('GET', KEYS[1]) .. ARGV[1]`);

    await expect(script.evalsha([k], ['!'])).rejects.toThrow(/NOSCRIPT/);
    expect(await script.exec([k], ['!'])).toBe('scripted!');
    expect(await script.evalsha([k], ['?'])).toBe('scripted?');
  });

  it('accepts the Upstash-only allow-key-locking script flag (@upstash/ratelimit sends it), EVALSHA by the client’s hash included', async () => {
    const k = key('locking');
    await raw.set(k, 'locked');
    const script = raw.createScript<string>(
      `#!lua flags=allow-key-locking\nreturn redis.call('GET', KEYS[1]) .. ARGV[1]`,
    );
    expect(await script.exec([k], ['!'])).toBe('locked!');
    expect(await script.evalsha([k], ['?'])).toBe('locked?');
    // Flags redis-server knows stay as they are.
    const readOnly = raw.createScript<string>(
      `#!lua flags=no-writes,allow-key-locking\nreturn redis.call('SET', KEYS[1], 'x')`,
    );
    await expect(readOnly.exec([k], [])).rejects.toThrow(/Write commands are not allowed/);
  });

  it('runs redis.multi() as a real MULTI/EXEC transaction', async () => {
    const k = key('multi');
    const tx = redis.multi();
    tx.set(k, 1);
    tx.incr(k);
    tx.get(k);
    expect(await tx.exec()).toEqual(['OK', 2, 2]);

    // Only a real transaction discards everything when one command is refused while queueing.
    const discarded = key('discarded');
    const answer = await post('/multi-exec', [['set', discarded, 'x'], ['no-such-command']]);
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ error: expect.stringMatching(/^EXECABORT/) });
    expect(await redis.exists(discarded)).toBe(0);
  });

  it('reports runtime errors inside a transaction per command, as Redis does', async () => {
    const k = key('multi-error');
    const answer = await post('/multi-exec', [
      ['set', k, 'text'],
      ['incr', k],
      ['get', k],
    ]);
    expect(await answer.json()).toEqual([
      { result: 'OK' },
      { error: 'ERR value is not an integer or out of range' },
      { result: 'text' },
    ]);
  });

  it('runs redis.pipeline() with one result or error per command', async () => {
    const k = key('pipeline');
    const pipeline = raw.pipeline();
    pipeline.set(k, 'v');
    pipeline.get(k);
    pipeline.incr(k);
    expect(await pipeline.exec({ keepErrors: true })).toEqual([
      { result: 'OK', error: undefined },
      { result: 'v', error: undefined },
      { result: undefined, error: 'ERR value is not an integer or out of range' },
    ]);
  });

  it('serves concurrent auto-pipelined commands', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => key(`auto-${i}`));
    await Promise.all(keys.map((k, i) => raw.set(k, `value-${i}`)));
    expect(await Promise.all(keys.map((k) => raw.get(k)))).toEqual(
      keys.map((_, i) => `value-${i}`),
    );
  });

  it('answers 401 {"error":"Unauthorized"} to a wrong token', async () => {
    const intruder = new Redis({ url: upstash.url, token: 'wrong', enableTelemetry: false });
    await expect(intruder.get(key('x'))).rejects.toThrow(/^Unauthorized/);
    const answer = await post('/', ['ping'], { authorization: 'Bearer wrong' });
    expect(answer.status).toBe(401);
    expect(await answer.json()).toEqual({ error: 'Unauthorized' });
  });

  it('answers 500 with an error body while the error fault is set', async () => {
    upstash.rest.setFault({ mode: 'error' });
    const answer = await post('/', ['ping']);
    expect(answer.status).toBe(500);
    expect(await answer.json()).toEqual({ error: expect.any(String) });
    upstash.rest.setFault(null);
    expect(await redis.ping()).toBe('PONG');
  });

  it('answers late while the slow fault is set', async () => {
    upstash.rest.setFault({ mode: 'slow', delayMs: 200 });
    const started = performance.now();
    expect(await redis.ping()).toBe('PONG');
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('answers 500 while redis-server is down, and serves again once it is back', async () => {
    await upstash.redis.stop();
    try {
      const answer = await post('/', ['ping']);
      expect(answer.status).toBe(500);
      expect(await answer.json()).toEqual({ error: expect.stringMatching(/unreachable/) });
    } finally {
      await upstash.redis.start();
    }
    expect(await redis.ping()).toBe('PONG');
  });
});
