import { createServer as createHttp1Server, type RequestListener } from 'node:http';
import {
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import {
  connect,
  createServer as createNetServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';

/** The first bytes of every HTTP/2 connection with prior knowledge (RFC 9113, 3.4). */
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

export interface TwoProtocolServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/**
 * One loopback port that speaks HTTP/1.1 (the SDK's axios calls, browsers) and cleartext HTTP/2
 * with prior knowledge (the SDK's gRPC transport for an `http://` environment URL: Connect's
 * `createGrpcTransport` over Node's http2). Each connection goes to one server or the other by its
 * first bytes: the HTTP/2 preface, or anything else. An HTTP/1.1 connection is handed to its server
 * with the bytes read so far put back; Node's http2 reads a socket's handle directly and would
 * miss them, so an HTTP/2 connection is relayed to an http2 server on a second, internal port.
 */
export async function listenTwoProtocols(
  port: number,
  http1: RequestListener,
  http2: (req: Http2ServerRequest, res: Http2ServerResponse) => void,
): Promise<TwoProtocolServer> {
  const http1Server = createHttp1Server(http1);
  const http2Server = createHttp2Server(http2);
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  await listen(http2Server, 0);
  const http2Port = (http2Server.address() as AddressInfo).port;
  const relayToHttp2 = (socket: Socket, received: Buffer) => {
    const upstream = connect(http2Port, '127.0.0.1');
    track(upstream);
    upstream.write(received);
    socket.pipe(upstream).pipe(socket);
    socket.once('close', () => upstream.destroy());
    upstream.once('close', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  };

  const router = createNetServer((socket) => {
    track(socket);
    let received = Buffer.alloc(0);
    const route = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const compared = Math.min(received.length, HTTP2_PREFACE.length);
      const isHttp2 = received.subarray(0, compared).equals(HTTP2_PREFACE.subarray(0, compared));
      // A prefix of the preface: wait for more bytes before deciding.
      if (isHttp2 && received.length < HTTP2_PREFACE.length) return;
      socket.off('data', route);
      if (isHttp2) return relayToHttp2(socket, received);
      socket.pause();
      socket.unshift(received);
      http1Server.emit('connection', socket);
      socket.resume();
    };
    socket.on('data', route);
  });
  await listen(router, port);

  return {
    url: `http://127.0.0.1:${(router.address() as AddressInfo).port}`,
    async close() {
      const closed = [router, http2Server].map(
        (server) => new Promise<void>((resolve) => server.close(() => resolve())),
      );
      for (const socket of sockets) socket.destroy();
      http1Server.closeAllConnections();
      await Promise.all(closed);
    },
  };
}

function listen(server: Pick<Server, 'once' | 'off' | 'listen'>, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
