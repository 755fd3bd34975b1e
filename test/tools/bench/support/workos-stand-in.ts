import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';

/**
 * The two WorkOS API endpoints `authkitMiddleware` calls, on loopback: the JWKS it verifies access
 * tokens against (`/sso/jwks/<clientId>`) and the refresh grant (`/user_management/authenticate`),
 * which answers `invalid_grant` (as WorkOS does for a refresh token it does not know), so a
 * session whose token fails verification ends in a redirect instead of a network call.
 */
export interface WorkosStandIn {
  /** `http://127.0.0.1:<port>`: the WorkOS client reaches it through WORKOS_API_* variables. */
  readonly url: string;
  readonly port: number;
  readonly clientId: string;
  /** An RS256 access token signed by the key this stand-in publishes. */
  signAccessToken(claims: JWTPayload): Promise<string>;
  /** The same, signed by a key it does not publish. */
  signForged(claims: JWTPayload): Promise<string>;
  /** Requests so far: JWKS fetches and refresh-grant calls. */
  counts(): { jwks: number; refresh: number };
  close(): Promise<void>;
}

const KID = 'bench-workos-key';

export async function startWorkosStandIn(clientId: string): Promise<WorkosStandIn> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const forged = await generateKeyPair('RS256');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' }] };
  const counts = { jwks: 0, refresh: 0 };
  const server: Server = createServer((request, response) => {
    request.resume();
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method === 'GET' && request.url === `/sso/jwks/${clientId}`) {
      counts.jwks++;
      return send(200, jwks);
    }
    if (request.method === 'POST' && request.url === '/user_management/authenticate') {
      counts.refresh++;
      return send(400, { error: 'invalid_grant', error_description: 'Invalid refresh token.' });
    }
    send(404, { message: 'Not Found' });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const sign = (claims: JWTPayload, key: CryptoKey) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT' }).sign(key);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    clientId,
    signAccessToken: (claims) => sign(claims, privateKey),
    signForged: (claims) => sign(claims, forged.privateKey),
    counts: () => ({ ...counts }),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
