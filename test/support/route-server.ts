import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { NextRequest } from 'next/server';

type Handler = (request: NextRequest) => Response | Promise<Response>;

export interface ServeOptions {
  /**
   * Hand the handler the request body as a stream while it arrives, as Next does, instead of
   * buffering it first: for handlers that must bound what they read.
   */
  stream?: boolean;
}

/**
 * Serves one route handler over HTTP on loopback, for callers that need a URL (the issuer's
 * back-channel logout). Next itself is not involved: the handler gets a real NextRequest.
 */
export async function serveRoute(handler: Handler, path: string, options: ServeOptions = {}) {
  const server = createServer((req, res) => {
    void body(req, options.stream ?? false).then(async (content) => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string') headers.set(name, value);
      }
      // `duplex: 'half'` is what fetch requires of a streamed request body.
      const init = { method: req.method, headers, body: content, duplex: 'half' as const };
      const request = new NextRequest(new URL(req.url ?? '/', 'http://127.0.0.1'), init);
      const response = await handler(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function body(req: IncomingMessage, stream: boolean) {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  if (stream) return Readable.toWeb(req) as ReadableStream<Uint8Array>;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
