import { NextRequest } from 'next/server';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { seal } from '@/lib/edge/seal';
import { readSession } from '@/lib/server/session';
import { APP_URL } from '../../support/app';
import { freshCopy } from '../../support/fresh-copy';
import { issuerControl } from '../../support/issuer-control';
import { outcome } from '../../support/outcome';
import { accessTokenClaims, idTokenClaims } from '../../support/tokens';

const control = issuerControl(inject('issuerUrl'));
const secrets = [process.env.SESSION_COOKIE_SECRET!];
const now = () => Math.floor(Date.now() / 1000);

/** The cookies of a request carrying these sealed values, as Next hands them to the app. */
function cookiesOf(values: { access?: string; id?: string }) {
  const pairs = [
    values.access === undefined ? '' : `sk_access=${values.access}`,
    values.id === undefined ? '' : `sk_id=${values.id}`,
  ].filter(Boolean);
  return new NextRequest(new URL('/dashboard', APP_URL), { headers: { cookie: pairs.join('; ') } })
    .cookies;
}

/** A genuine token from the stand-in, sealed for its cookie as the callback seals it. */
const sealed = async (purpose: 'access' | 'id', claims: Record<string, unknown>) =>
  seal(await control.sign(claims), purpose, secrets);

const SIGNED_IN_AT = Date.now() - 60_000;

/** The ID cookie as the callback writes it: the ID token, its session, the sign-in time. */
const signInRecord = async (
  claims: Record<string, unknown>,
  record: { sid?: string; signedInAt?: number } = {},
) =>
  seal(
    JSON.stringify({
      idToken: await control.sign(claims),
      sid: record.sid ?? 'ses_test_1',
      signedInAt: record.signedInAt ?? SIGNED_IN_AT,
    }),
    'id',
    secrets,
  );

describe('readSession', () => {
  afterEach(async () => {
    await control.setFault('keys', null);
  });

  it('reads a session: verified access-token claims, and the profile from the sealed ID token', async () => {
    const access = accessTokenClaims({ roles: ['admin'] });
    const read = await readSession(
      cookiesOf({
        access: await sealed('access', access),
        id: await signInRecord(idTokenClaims()),
      }),
    );
    expect(read).toEqual({
      ok: true,
      session: {
        claims: expect.objectContaining({ sub: 'usr_test_1', sid: 'ses_test_1', roles: ['admin'] }),
        user: {
          sub: 'usr_test_1',
          email: 'ada@acme.test',
          emailVerified: true,
          name: 'Ada Admin',
          givenName: 'Ada',
          familyName: 'Admin',
          oid: 'org_test_1',
        },
        expiresAt: (access.exp as number) * 1000,
        signedInAt: SIGNED_IN_AT,
      },
    });
  });

  it('keeps showing the profile after the ID token’s own expiry: it was verified at sign-in', async () => {
    const id = await signInRecord(idTokenClaims({ iat: now() - 7200, exp: now() - 5400 }));
    const read = await readSession(
      cookiesOf({ access: await sealed('access', accessTokenClaims()), id }),
    );
    expect(read.ok && read.session.user.email).toBe('ada@acme.test');
  });

  it.each([
    ['of another person', async () => signInRecord(idTokenClaims({ sub: 'usr_someone_else' }))],
    ['of another session', async () => signInRecord(idTokenClaims(), { sid: 'ses_other' })],
    ['missing', async () => undefined],
    ['that does not open', async () => 'not-a-sealed-value'],
    ['sealed for another cookie', async () => sealed('access', idTokenClaims())],
    ['that is not a JWT', async () => seal('not-a-jwt', 'id', secrets)],
    ['sealed bare, without its record', async () => sealed('id', idTokenClaims())],
  ])('shows no profile but the subject for an ID token %s', async (_, makeId) => {
    const read = await readSession(
      cookiesOf({ access: await sealed('access', accessTokenClaims()), id: await makeId() }),
    );
    expect(read.ok && read.session.signedInAt).toBeUndefined();
    expect(read.ok && read.session.user).toEqual({
      sub: 'usr_test_1',
      email: undefined,
      emailVerified: undefined,
      name: undefined,
      givenName: undefined,
      familyName: undefined,
      oid: undefined,
    });
  });

  it('answers token_expired for an expired access token, with the session it still shows', async () => {
    const claims = accessTokenClaims({ iat: now() - 600, exp: now() - 60 });
    const access = await sealed('access', claims);
    const id = await signInRecord(idTokenClaims());
    expect(await readSession(cookiesOf({ access, id }))).toEqual({
      ok: false,
      reason: 'token_expired',
      expired: expect.objectContaining({
        claims: expect.objectContaining({ sub: 'usr_test_1', exp: claims.exp }),
        user: expect.objectContaining({ email: 'ada@acme.test' }),
        expiresAt: (claims.exp as number) * 1000,
        signedInAt: SIGNED_IN_AT,
      }),
    });
  });

  it.each([
    ['no cookie at all', async () => ({})],
    ['an access cookie that does not open', async () => ({ access: 'garbage' })],
    [
      'an access cookie sealed with another secret',
      async () => ({
        access: await seal(await control.sign(accessTokenClaims()), 'access', [
          'another-session-secret-0123456789abcdef',
        ]),
      }),
    ],
    [
      'an access token the issuer did not sign for this client',
      async () => ({ access: await sealed('access', accessTokenClaims({ aud: ['skc_other'] })) }),
    ],
    [
      'an ID token in the access cookie',
      async () => ({ access: await sealed('access', idTokenClaims()) }),
    ],
  ])('answers unauthenticated for %s', async (_, makeCookies) => {
    expect(await readSession(cookiesOf(await makeCookies()))).toEqual({
      ok: false,
      reason: 'unauthenticated',
    });
  });

  it('throws jwks_unavailable when the keys cannot be fetched on a cold isolate, never "signed out"', async () => {
    const access = await sealed('access', accessTokenClaims());
    const cold = await freshCopy(() => import('@/lib/server/session'));
    await control.setFault('keys', 'error');
    expect(await outcome(cold.readSession(cookiesOf({ access })))).toBe('jwks_unavailable');
  });

  it('throws config_invalid when the session secret is missing', async () => {
    const access = await sealed('access', accessTokenClaims());
    const saved = process.env.SESSION_COOKIE_SECRET;
    delete process.env.SESSION_COOKIE_SECRET;
    try {
      const cold = await freshCopy(() => import('@/lib/server/session'));
      expect(await outcome(cold.readSession(cookiesOf({ access })))).toBe('config_invalid');
    } finally {
      process.env.SESSION_COOKIE_SECRET = saved;
    }
  });
});
