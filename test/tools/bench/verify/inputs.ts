import { decodeProtectedHeader } from 'jose';
import { seal } from '../../../../lib/edge/seal';
import type { Services } from '../support/services';

/** One access token as the local issuer signs it, its sealed cookie and the key to check it. */
export interface VerifyInputs {
  token: string;
  sealed: string;
  jwk: JsonWebKey;
  secret: string;
}

/** Signs a Scalekit-shaped access token (valid for an hour) and seals it with `secret`. */
export async function makeVerifyInputs(services: Services, secret: string): Promise<VerifyInputs> {
  const now = Math.floor(Date.now() / 1000);
  const token = await services.issuer.signJwt({
    iss: services.issuerUrl,
    aud: [services.clientId],
    client_id: services.clientId,
    sub: 'usr_bench_0001',
    sid: 'ses_bench_0001',
    oid: 'org_bench_0001',
    jti: 'tkn_bench_0001',
    roles: ['admin'],
    permissions: ['organization:read', 'organization:write'],
    scope: 'openid profile email offline_access',
    iat: now,
    nbf: now,
    exp: now + 3600,
  });
  const { kid } = decodeProtectedHeader(token);
  const response = await fetch(`${services.issuerUrl}/keys`);
  const { keys } = (await response.json()) as { keys: Array<JsonWebKey & { kid?: string }> };
  const jwk = keys.find((key) => key.kid === kid);
  if (!jwk) throw new Error(`no key ${kid} at ${services.issuerUrl}/keys`);
  return { token, sealed: await seal(token, 'access', [secret]), jwk, secret };
}

/** `count` distinct seals of the same token (fresh IVs): cookies the verifier has never seen. */
export function sealPool(inputs: VerifyInputs, count: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, () => seal(inputs.token, 'access', [inputs.secret])),
  );
}
