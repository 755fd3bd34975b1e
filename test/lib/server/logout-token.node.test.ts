import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { createKeySet } from '@/lib/edge/jwks';
import { BACKCHANNEL_LOGOUT_EVENT, verifyLogoutToken } from '@/lib/server/logout-token';
import { keyAndFormRows, tokenForge, type ForgedToken } from '../../support/forged-tokens';
import { issuerControl } from '../../support/issuer-control';
import { outcome } from '../../support/outcome';
import { logoutTokenClaims } from '../../support/tokens';

const issuerUrl = inject('issuerUrl');
const control = issuerControl(issuerUrl);
const now = () => Math.floor(Date.now() / 1000);

/** Verifies with a key set of its own, as a cold isolate would. */
const verify = (token: string) =>
  verifyLogoutToken(token, { keySet: createKeySet(new URL(`${issuerUrl}/keys`)) });

describe('verifyLogoutToken', () => {
  const forge = tokenForge(control, issuerUrl, {
    claims: logoutTokenClaims,
    header: { typ: 'logout+jwt' },
  });
  const change = (claims: Record<string, unknown>) => forge.genuine({ claims });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('names the session and user a genuine logout token signs out', async () => {
    const claims = logoutTokenClaims();
    const token = await forge.genuine({ claims });
    expect(await verify(token)).toEqual({
      sid: 'ses_test_1',
      sub: 'usr_test_1',
      iat: claims.iat,
      jti: claims.jti,
    });
  });

  it.each([
    ['logout+jwt (the spec’s recommendation)', { typ: 'logout+jwt' }],
    ['application/logout+jwt', { typ: 'application/logout+jwt' }],
    ['JWT (what Scalekit may send)', { typ: 'JWT' }],
    ['absent', { typ: null }],
  ])('accepts typ %s', async (_, header) => {
    expect(await outcome(verify(await forge.genuine({ header })))).toBe('ok');
  });

  it('accepts a token naming only the session, or only the user', async () => {
    expect(await verify(await forge.genuine({ without: ['sub'] }))).toMatchObject({
      sid: 'ses_test_1',
      sub: undefined,
    });
    expect(await verify(await forge.genuine({ without: ['sid'] }))).toMatchObject({
      sid: undefined,
      sub: 'usr_test_1',
    });
  });

  it('accepts a token issued 5 minutes (plus the 5 s tolerance) ago, and refuses an older one', async () => {
    const at = now();
    const old = await change({ iat: at - 300 - 4, exp: at + 60 });
    const older = await change({ iat: at - 300 - 6, exp: at + 60 });
    vi.useFakeTimers({ toFake: ['Date'], now: at * 1000 + 500 });
    expect(await outcome(verify(old))).toBe('ok');
    expect(await outcome(verify(older))).toBe('token_invalid');
  });

  // Each row: the baseline (logoutTokenClaims(), the real key, typ logout+jwt) with one change.
  const forged: ForgedToken[] = [
    ...keyAndFormRows(forge),
    {
      name: 'typ at+jwt (an access token)',
      make: () => forge.genuine({ header: { typ: 'at+jwt' } }),
    },
    { name: 'typ JWT+other', make: () => forge.genuine({ header: { typ: 'JWT+other' } }) },
    { name: 'issued an hour ago', make: () => change({ iat: now() - 3600 }) },
    { name: 'issued in the future', make: () => change({ iat: now() + 60 }) },
    { name: 'no iat', make: () => forge.genuine({ without: ['iat'] }) },
    {
      name: 'no jti (replays could not be told apart)',
      make: () => forge.genuine({ without: ['jti'] }),
    },
    { name: 'an empty jti', make: () => change({ jti: '' }) },
    { name: 'expired', make: () => change({ exp: now() - 60 }) },
    { name: 'no events', make: () => forge.genuine({ without: ['events'] }) },
    { name: 'events without the back-channel logout event', make: () => change({ events: {} }) },
    {
      name: 'another event only',
      make: () =>
        change({
          events: { 'https://schemas.openid.net/secevent/risc/event-type/sessions-revoked': {} },
        }),
    },
    {
      name: 'the event as a string, not an object',
      make: () => change({ events: { [BACKCHANNEL_LOGOUT_EVENT]: 'true' } }),
    },
    {
      name: 'the event as an array',
      make: () => change({ events: { [BACKCHANNEL_LOGOUT_EVENT]: [] } }),
    },
    {
      name: 'the event as null',
      make: () => change({ events: { [BACKCHANNEL_LOGOUT_EVENT]: null } }),
    },
    { name: 'events as a list', make: () => change({ events: [BACKCHANNEL_LOGOUT_EVENT] }) },
    { name: 'events as a string', make: () => change({ events: BACKCHANNEL_LOGOUT_EVENT }) },
    { name: 'neither sid nor sub', make: () => forge.genuine({ without: ['sid', 'sub'] }) },
    { name: 'an empty sid and sub', make: () => change({ sid: '', sub: '' }) },
    { name: 'a nonce (an ID token)', make: () => change({ nonce: 'n-0S6_WzA2Mj' }) },
    { name: 'another issuer', make: () => change({ iss: 'https://evil.example' }) },
    { name: 'no iss', make: () => forge.genuine({ without: ['iss'] }) },
    { name: 'another audience', make: () => change({ aud: 'skc_other' }) },
    { name: 'no aud', make: () => forge.genuine({ without: ['aud'] }) },
  ];

  it('accepts the baseline that every forged token below changes in one respect', async () => {
    expect(await outcome(verify(await forge.genuine()))).toBe('ok');
  });

  it.each(forged)('refuses $name with token_invalid', async ({ make }) => {
    expect(await outcome(verify(await make()))).toBe('token_invalid');
  });
});
