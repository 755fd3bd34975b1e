import net from 'node:net';

/** An error reply from Redis. Kept as a value, not thrown: a pipeline or EXEC carries one per command. */
export class RespError {
  constructor(readonly message: string) {}
}

/**
 * One RESP2 reply. Status replies are strings and bulk replies Buffers, so that bulk bytes reach the
 * HTTP layer untouched and can be base64-encoded exactly as Redis stored them.
 */
export type RespReply = string | Buffer | number | null | RespError | RespReply[];

/** A lazily connected RESP2 client over one socket, reconnecting after the socket closes. */
export interface RespClient {
  /**
   * Sends the commands in one write, so no other caller's command can land between them (which
   * MULTI ... EXEC relies on), and resolves with their replies in order.
   */
  send(commands: readonly (readonly string[])[]): Promise<RespReply[]>;
  close(): void;
}

interface Pending {
  resolve(reply: RespReply): void;
  reject(error: Error): void;
}

interface Connection {
  socket: net.Socket;
  pending: Pending[];
}

const CRLF = '\r\n';

/**
 * @example
 * ```ts
 * const client = createRespClient({ port: 6379 });
 * const [pong] = await client.send([['PING']]); // 'PONG'
 * client.close();
 * ```
 */
export function createRespClient(options: { port: number; host?: string }): RespClient {
  let current: Promise<Connection> | undefined;
  let closed = false;

  function connect(): Promise<Connection> {
    const connection = new Promise<Connection>((resolve, reject) => {
      const socket = net.connect({ port: options.port, host: options.host ?? '127.0.0.1' });
      const pending: Pending[] = [];
      let buffer = Buffer.alloc(0);
      const fail = (error: Error) => {
        // Forget this socket so that the next send reconnects, e.g. after redis-server restarts.
        if (current === connection) current = undefined;
        for (const waiter of pending.splice(0)) waiter.reject(error);
        reject(error);
      };
      socket.setNoDelay(true);
      socket.once('connect', () => resolve({ socket, pending }));
      socket.on('error', fail);
      socket.on('close', () => fail(new Error('connection to redis-server closed')));
      socket.on('data', (chunk) => {
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
        try {
          for (let parsed = parseReply(buffer, 0); parsed; parsed = parseReply(buffer, 0)) {
            buffer = buffer.subarray(parsed.end);
            pending.shift()?.resolve(parsed.reply);
          }
        } catch (error) {
          socket.destroy(error as Error);
        }
      });
    });
    current = connection;
    return connection;
  }

  return {
    async send(commands) {
      if (closed) throw new Error('RESP client is closed');
      const { socket, pending } = await (current ?? connect());
      if (socket.destroyed) throw new Error('connection to redis-server closed');
      const replies = commands.map(
        () => new Promise<RespReply>((resolve, reject) => pending.push({ resolve, reject })),
      );
      socket.write(Buffer.concat(commands.map(encodeCommand)));
      return Promise.all(replies);
    },
    close() {
      closed = true;
      current?.then(
        ({ socket }) => socket.destroy(),
        () => undefined,
      );
    },
  };
}

function encodeCommand(args: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}${CRLF}`)];
  for (const arg of args) {
    const bytes = Buffer.from(arg, 'utf8');
    parts.push(Buffer.from(`$${bytes.length}${CRLF}`), bytes, Buffer.from(CRLF));
  }
  return Buffer.concat(parts);
}

/** Parses one reply starting at `start`; undefined while the reply is still incomplete. */
function parseReply(buffer: Buffer, start: number): { reply: RespReply; end: number } | undefined {
  const lineEnd = buffer.indexOf(CRLF, start);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buffer[start] ?? 0);
  const line = buffer.toString('utf8', start + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case '+':
      return { reply: line, end: afterLine };
    case '-':
      return { reply: new RespError(line), end: afterLine };
    case ':':
      return { reply: Number(line), end: afterLine };
    case '$': {
      const length = Number(line);
      if (length === -1) return { reply: null, end: afterLine };
      if (buffer.length < afterLine + length + 2) return undefined;
      return {
        reply: Buffer.from(buffer.subarray(afterLine, afterLine + length)),
        end: afterLine + length + 2,
      };
    }
    case '*': {
      const count = Number(line);
      if (count === -1) return { reply: null, end: afterLine };
      const items: RespReply[] = [];
      let end = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, end);
        if (!item) return undefined;
        items.push(item.reply);
        end = item.end;
      }
      return { reply: items, end };
    }
    default:
      throw new Error(`unexpected RESP reply type ${JSON.stringify(type)}`);
  }
}
