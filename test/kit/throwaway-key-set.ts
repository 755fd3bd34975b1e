import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  exportJWK,
  generateKeyPair,
  SignJWT,
  type JWSHeaderParameters,
  type JWTPayload,
} from 'jose';
import type { Signer } from './mint-session';

export interface ThrowawayKeySet extends Signer {
  /** Stops the loopback server that publishes the key. */
  close(): Promise<void>;
}

/**
 * A signing key of the test's own, published on loopback as a Scalekit environment publishes its
 * keys (`<issuer>/keys`, `<issuer>/.well-known/openid-configuration`), for tests that do not run
 * the local stand-in. Point the app at it: `SCALEKIT_ENV_URL = keys.issuer`.
 *
 * @example
 * const keys = await throwawayKeySet({ clientId: 'skc_test' });
 * process.env.SCALEKIT_ENV_URL = keys.issuer;
 * const session = await mintSession({ signer: keys, secret });
 * afterAll(() => keys.close());
 */
export async function throwawayKeySet(options: { clientId: string }): Promise<ThrowawayKeySet> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = `snk_throwaway_${crypto.randomUUID().slice(0, 8)}`;
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] };
  let issuer = '';
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const body =
      path === '/keys'
        ? jwks
        : path === '/.well-known/openid-configuration'
          ? { issuer, jwks_uri: `${issuer}/keys` }
          : null;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { error: 'not_found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    clientId: options.clientId,
    sign: (payload: JWTPayload, header: JWSHeaderParameters = {}) =>
      new SignJWT(payload).setProtectedHeader({ ...header, alg: 'RS256', kid }).sign(privateKey),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
