import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRespClient, RespError, type RespReply } from './resp-client';

/** A fault the endpoint injects into every request until cleared. */
export interface RestFault {
  /** `error`: answer 500 without touching Redis; `slow`: wait `delayMs`, then answer normally. */
  mode: 'error' | 'slow' | null;
  /** Delay for `slow`, default 1000 ms. */
  delayMs?: number;
  /** Requests answered normally before the fault starts (default 0): a store that fails mid-way. */
  passFirst?: number;
}

export interface RestServer {
  /** Base URL to give `@upstash/redis`, e.g. `http://127.0.0.1:41234`. */
  url: string;
  setFault(fault: RestFault | null): void;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: unknown;
}

/**
 * Starts an HTTP endpoint speaking the Upstash REST protocol in front of a real redis-server, so
 * that the real `@upstash/redis` client can be tested without Upstash.
 *
 * All requests share one Redis connection, so connection state leaks between them: blocking
 * commands, SELECT or a bare MULTI sent through `/pipeline` would affect every other request.
 *
 * @example
 * ```ts
 * const rest = await startRestServer({ redisPort: 6379, token: 'test-token' });
 * const redis = new Redis({ url: rest.url, token: 'test-token' });
 * await redis.set('k', 'v');
 * await rest.close();
 * ```
 */
export async function startRestServer(options: {
  redisPort: number;
  token: string;
}): Promise<RestServer> {
  const resp = createRespClient({ port: options.redisPort });
  const closing = new AbortController();
  let fault: RestFault | null = null;
  let passed = 0;

  async function answer(request: http.IncomingMessage, rawBody: string): Promise<Answer> {
    if (request.headers.authorization !== `Bearer ${options.token}`) {
      return { status: 401, body: { error: 'Unauthorized' } };
    }
    if (request.method !== 'POST') {
      return { status: 405, body: { error: 'ERR only POST is supported by this test endpoint' } };
    }
    if (fault && passed < (fault.passFirst ?? 0)) {
      passed += 1;
    } else if (fault?.mode === 'error') {
      return { status: 500, body: { error: 'ERR injected fault: the endpoint is failing' } };
    } else if (fault?.mode === 'slow') {
      await sleep(fault.delayMs ?? 1000, undefined, { signal: closing.signal });
    }

    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      return { status: 400, body: { error: 'ERR failed to parse the request body as JSON' } };
    }
    const encode = request.headers['upstash-encoding'] === 'base64' ? toBase64 : toText;
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    try {
      switch (path) {
        case '/':
          return await single(toCommand(body), encode);
        case '/pipeline':
          return await pipeline(toCommands(body), encode);
        case '/multi-exec':
          return await multiExec(toCommands(body), encode);
        default:
          return { status: 404, body: { error: `ERR unknown path ${path}` } };
      }
    } catch (error) {
      if (error instanceof BadRequest) return { status: 400, body: { error: error.message } };
      return { status: 500, body: { error: `ERR redis-server unreachable: ${String(error)}` } };
    }
  }

  const scripts = createScriptTranslation();

  async function single(command: string[], encode: Encode): Promise<Answer> {
    const [reply = null] = await resp.send([scripts.forRedis(command)]);
    if (reply instanceof RespError) return { status: 400, body: { error: reply.message } };
    return { status: 200, body: { result: encodeDeep(reply, encode) } };
  }

  async function pipeline(commands: string[][], encode: Encode): Promise<Answer> {
    const replies = await resp.send(commands.map(scripts.forRedis));
    return { status: 200, body: replies.map((reply) => toEntry(reply, encode)) };
  }

  async function multiExec(commands: string[][], encode: Encode): Promise<Answer> {
    const replies = await resp.send([['MULTI'], ...commands.map(scripts.forRedis), ['EXEC']]);
    const exec = replies.at(-1);
    // A command rejected while queueing makes Redis discard the whole transaction (EXECABORT).
    if (exec instanceof RespError) return { status: 400, body: { error: exec.message } };
    if (!Array.isArray(exec)) return { status: 500, body: { error: 'ERR transaction aborted' } };
    return { status: 200, body: exec.map((reply) => toEntry(reply, encode)) };
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      answer(request, Buffer.concat(chunks).toString('utf8')).then(
        ({ status, body }) => {
          if (response.destroyed) return;
          response.writeHead(status, { 'Content-Type': 'application/json' });
          response.end(JSON.stringify(body));
        },
        // Only a close() during a slow fault lands here; its client has gone too.
        () => response.destroy(),
      );
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    setFault(next) {
      fault = next?.mode ? next : null;
      passed = 0;
    },
    async close() {
      closing.abort();
      resp.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // The client keeps connections alive; close() alone would wait for them to idle out.
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Script flags Upstash accepts and redis-server does not. */
const UPSTASH_ONLY_FLAGS = new Set(['allow-key-locking']);

/**
 * Upstash accepts the `allow-key-locking` flag in a script's `#!lua flags=` line (it then locks
 * only the keys a script declares; `@upstash/ratelimit` 2.1 and later send it), while redis-server
 * 7 refuses any flag it does not know. The endpoint drops such flags before Redis sees the script,
 * and answers `EVALSHA` for the hash of the script as the client sent it (once that script has
 * been evaluated), as Upstash would: the client computes its hashes from its own text.
 */
function createScriptTranslation() {
  const redisHashOf = new Map<string, string>();
  const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
  return {
    forRedis(command: string[]): string[] {
      const [name = '', first, ...rest] = command;
      if (first === undefined) return command;
      switch (name.toUpperCase()) {
        case 'EVAL':
        case 'EVAL_RO': {
          const script = withoutUpstashFlags(first);
          if (script !== first) redisHashOf.set(sha1(first), sha1(script));
          return [name, script, ...rest];
        }
        case 'EVALSHA':
        case 'EVALSHA_RO':
          return [name, redisHashOf.get(first.toLowerCase()) ?? first, ...rest];
        default:
          return command;
      }
    },
  };
}

function withoutUpstashFlags(script: string): string {
  const match = /^#!lua flags=([^\n]*)/.exec(script);
  if (!match) return script;
  const flags = match[1]!.split(',').map((flag) => flag.trim());
  const kept = flags.filter((flag) => !UPSTASH_ONLY_FLAGS.has(flag));
  if (kept.length === flags.length) return script;
  // Without flags left, no shebang at all (a blank line keeps error line numbers as they were).
  return `${kept.length ? `#!lua flags=${kept.join(',')}` : ''}${script.slice(match[0].length)}`;
}

type Scalar = Exclude<RespReply, RespError | RespReply[]>;
type Encode = (reply: Scalar) => unknown;

class BadRequest extends Error {}

function toCommands(body: unknown): string[][] {
  if (!Array.isArray(body) || body.length === 0) {
    throw new BadRequest('ERR expected a non-empty JSON array of commands');
  }
  return body.map(toCommand);
}

function toCommand(body: unknown): string[] {
  if (!Array.isArray(body) || body.length === 0) {
    throw new BadRequest('ERR expected a command as a non-empty JSON array');
  }
  return body.map((arg: unknown) => {
    if (typeof arg === 'string') return arg;
    if (typeof arg === 'number' || typeof arg === 'boolean') return String(arg);
    throw new BadRequest(`ERR unsupported argument ${JSON.stringify(arg)}`);
  });
}

function toEntry(reply: RespReply, encode: Encode): { result: unknown } | { error: string } {
  return reply instanceof RespError
    ? { error: reply.message }
    : { result: encodeDeep(reply, encode) };
}

function encodeDeep(reply: Exclude<RespReply, RespError>, encode: Encode): unknown {
  if (Array.isArray(reply)) {
    // Error replies nested in arrays (a Lua table, say) pass through as their text, like top-level ones.
    return reply.map((item) =>
      item instanceof RespError ? item.message : encodeDeep(item, encode),
    );
  }
  return encode(reply);
}

/** `Upstash-Encoding: base64`: every bulk and status string as base64 of its bytes. */
function toBase64(reply: Scalar): unknown {
  if (typeof reply === 'string') return Buffer.from(reply, 'utf8').toString('base64');
  if (Buffer.isBuffer(reply)) return reply.toString('base64');
  return reply;
}

function toText(reply: Scalar): unknown {
  return Buffer.isBuffer(reply) ? reply.toString('utf8') : reply;
}
