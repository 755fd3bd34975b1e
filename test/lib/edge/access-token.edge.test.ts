import type { JWSHeaderParameters, JWTPayload } from 'jose';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { hasPermission, hasRole, verifyAccessToken } from '@/lib/edge/access-token';
import type { AuthErrorCode } from '@/lib/edge/errors';
import { createKeySet } from '@/lib/edge/jwks';
import { keyAndFormRows, tokenForge, type ForgedToken } from '../../support/forged-tokens';
import { issuerControl } from '../../support/issuer-control';
import { outcome } from '../../support/outcome';
import { accessTokenClaims, without } from '../../support/tokens';

const issuerUrl = inject('issuerUrl');
const clientId = inject('clientId');
const control = issuerControl(issuerUrl);

async function expectRejected(token: string, code: AuthErrorCode) {
  const keySet = createKeySet(new URL(`${issuerUrl}/keys`));
  expect(await outcome(verifyAccessToken(token, { keySet }))).toBe(code);
}

describe('verifyAccessToken', () => {
  const forge = tokenForge(control, issuerUrl, {
    claims: accessTokenClaims,
    header: { typ: 'JWT' },
  });
  /** The baseline with some claims replaced. */
  const change = (claims: JWTPayload) => forge.genuine({ claims });
  const sign = (payload: JWTPayload, header?: JWSHeaderParameters) => control.sign(payload, header);

  afterEach(() => {
    vi.useRealTimers();
  });

  it('returns typed claims for a genuine access token', async () => {
    const payload = accessTokenClaims({ roles: ['admin'], permissions: ['a:read', 'a:write'] });
    const token = await sign(payload, { typ: 'JWT' });
    const claims = await verifyAccessToken(token);
    expect(claims).toMatchObject({
      sub: 'usr_test_1',
      sid: 'ses_test_1',
      oid: 'org_test_1',
      roles: ['admin'],
      permissions: ['a:read', 'a:write'],
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      exp: payload.exp,
      iat: payload.iat,
      jti: payload.jti,
      clientId,
    });
    expect(claims.payload.iss).toBe(issuerUrl);
    expect(hasRole(claims, 'admin')).toBe(true);
    expect(hasRole(claims, 'member')).toBe(false);
    expect(hasPermission(claims, 'a:write')).toBe(true);
    expect(hasPermission(claims, 'a:delete')).toBe(false);
  });

  it('accepts the baseline that every forged token below changes in one respect', async () => {
    const keySet = createKeySet(new URL(`${issuerUrl}/keys`));
    await expect(verifyAccessToken(await forge.genuine(), { keySet })).resolves.toMatchObject({
      sub: 'usr_test_1',
      sid: 'ses_test_1',
    });
  });

  it('accepts a token 4 s past exp and refuses one 6 s past it as token_expired (5 s tolerance)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const late = await change({ exp: now - 4 });
    const later = await change({ exp: now - 6 });
    vi.useFakeTimers({ toFake: ['Date'], now: now * 1000 + 500 });
    await expect(verifyAccessToken(late)).resolves.toMatchObject({ exp: now - 4 });
    await expectRejected(later, 'token_expired');
  });

  it.each(['JWT', 'at+jwt', 'application/at+jwt'])('accepts typ %s (RFC 9068)', async (typ) => {
    const token = await sign(accessTokenClaims(), { typ });
    await expect(verifyAccessToken(token)).resolves.toMatchObject({ sub: 'usr_test_1' });
  });

  it('accepts a token without a typ header and without optional claims', async () => {
    const token = await sign(
      without(accessTokenClaims(), 'oid', 'roles', 'permissions', 'scope', 'jti'),
    );
    const claims = await verifyAccessToken(token);
    expect(claims).toMatchObject({ oid: undefined, roles: [], permissions: [], scopes: [] });
  });

  it('reads null claims as absent: no roles, permissions, organization or scopes', async () => {
    // Scalekit documents these as optional without saying whether empty ones are left out or null.
    const token = await change({
      oid: null,
      roles: null,
      permissions: null,
      scope: null,
      jti: null as never,
    });
    const claims = await verifyAccessToken(token);
    expect(claims).toMatchObject({ oid: undefined, roles: [], permissions: [], scopes: [] });
  });

  it('refuses a Modular SSO token (no sid, no oid) with full_stack_auth_required', async () => {
    const modular = without(accessTokenClaims(), 'sid', 'oid', 'roles', 'permissions');
    await expectRejected(await sign(modular), 'full_stack_auth_required');
    // A connection-shaped sub marks it even when an organization is named.
    const connection = without(accessTokenClaims({ sub: 'conn_1;ada@acme.test' }), 'sid');
    await expectRejected(await sign(connection), 'full_stack_auth_required');
  });

  const now = () => Math.floor(Date.now() / 1000);
  // Each row: the baseline (a genuine access token: accessTokenClaims(), the real key, typ JWT)
  // with one change, so it fails for the rule it names and nothing else.
  const forged: ForgedToken[] = [
    ...keyAndFormRows(forge),
    { name: 'expired', code: 'token_expired', make: () => change({ exp: now() - 60 }) },
    { name: 'nbf in the future', make: () => change({ nbf: now() + 60 }) },
    { name: 'no exp', make: () => forge.genuine({ without: ['exp'] }) },
    { name: 'no iat', make: () => forge.genuine({ without: ['iat'] }) },
    { name: 'exp as a string', make: () => change({ exp: String(now() + 60) as never }) },
    { name: 'iat as a string', make: () => change({ iat: String(now()) as never }) },
    { name: 'wrong iss', make: () => change({ iss: 'https://evil.scalekit.com' }) },
    { name: 'iss with a trailing slash', make: () => change({ iss: `${issuerUrl}/` }) },
    {
      name: 'iss on another port',
      make: () => change({ iss: issuerUrl.replace(/:(\d+)$/, ':1') }),
    },
    { name: 'no iss', make: () => forge.genuine({ without: ['iss'] }) },
    { name: 'wrong aud', make: () => change({ aud: 'skc_someone_else' }) },
    { name: 'aud list without this client', make: () => change({ aud: ['skc_a', 'skc_b'] }) },
    { name: 'no aud', make: () => forge.genuine({ without: ['aud'] }) },
    {
      name: 'aud naming this client but client_id another',
      make: () => change({ client_id: 'skc_other' }),
    },
    { name: 'typ logout+jwt', make: () => forge.genuine({ header: { typ: 'logout+jwt' } }) },
    // Claims only ID tokens carry: each alone marks an ID token posing as an access token.
    { name: 'a nonce (an ID token)', make: () => change({ nonce: 'n-0S6_WzA2Mj' }) },
    { name: 'an at_hash (an ID token)', make: () => change({ at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q' }) },
    { name: 'a c_hash (an ID token)', make: () => change({ c_hash: 'LDktKdoQak3Pk0cnXxCltA' }) },
    { name: 'no sub', make: () => forge.genuine({ without: ['sub'] }) },
    { name: 'an empty sub', make: () => change({ sub: '' }) },
    { name: 'no sid', make: () => forge.genuine({ without: ['sid'] }) },
    { name: 'an empty sid', make: () => change({ sid: '' }) },
    { name: 'sid as a number', make: () => change({ sid: 42 as never }) },
    { name: 'oid as a number', make: () => change({ oid: 42 as never }) },
    { name: 'roles as a string', make: () => change({ roles: 'admin' as never }) },
    {
      name: 'permissions holding a non-string',
      make: () => change({ permissions: ['a', { b: 1 }] as never }),
    },
    { name: 'scope as an array', make: () => change({ scope: ['openid'] as never }) },
  ];

  it('has at least 40 forged cases', () => {
    expect(forged.length).toBeGreaterThanOrEqual(40);
  });

  it.each(forged)('refuses $name', async ({ make, code = 'token_invalid' }) => {
    await expectRejected(await make(), code);
  });

  it('refuses an expired token whose other claims are wrong as invalid, not expired', async () => {
    const token = await sign(
      accessTokenClaims({ iat: now() - 600, exp: now() - 60, nonce: 'from-an-id-token' }),
    );
    await expectRejected(token, 'token_invalid');
  });
});
