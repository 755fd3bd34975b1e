import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { createKeySet } from '@/lib/edge/jwks';
import { readProfile, verifyIdToken } from '@/lib/server/id-token';
import { keyAndFormRows, tokenForge, type ForgedToken } from '../../support/forged-tokens';
import { issuerControl } from '../../support/issuer-control';
import { outcome } from '../../support/outcome';
import { ID_TOKEN_NONCE, idTokenClaims } from '../../support/tokens';

const issuerUrl = inject('issuerUrl');
const control = issuerControl(issuerUrl);
const now = () => Math.floor(Date.now() / 1000);

/** Verifies with a key set of its own, as a cold isolate would, and the nonce of the sign-in. */
const verify = (token: string, nonce = ID_TOKEN_NONCE) =>
  verifyIdToken(token, { nonce, keySet: createKeySet(new URL(`${issuerUrl}/keys`)) });

describe('verifyIdToken', () => {
  const forge = tokenForge(control, issuerUrl, { claims: idTokenClaims, header: { typ: 'JWT' } });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('returns the profile of a genuine ID token carrying the stored nonce', async () => {
    expect(await verify(await forge.genuine())).toEqual({
      sub: 'usr_test_1',
      email: 'ada@acme.test',
      emailVerified: true,
      name: 'Ada Admin',
      givenName: 'Ada',
      familyName: 'Admin',
      oid: 'org_test_1',
    });
  });

  it.each([
    ['JWT', { typ: 'JWT' }],
    ['application/jwt', { typ: 'application/jwt' }],
    ['no typ (OpenID Connect defines none)', { typ: null }],
  ])('accepts typ %s', async (_, header) => {
    expect(await outcome(verify(await forge.genuine({ header })))).toBe('ok');
  });

  it('accepts a token 4 s past exp and refuses one 6 s past it (5 s tolerance)', async () => {
    const at = now();
    const late = await forge.genuine({ claims: { exp: at - 4 } });
    const later = await forge.genuine({ claims: { exp: at - 6 } });
    vi.useFakeTimers({ toFake: ['Date'], now: at * 1000 + 500 });
    expect(await outcome(verify(late))).toBe('ok');
    // Unlike an access token, an expired ID token is not worth a refresh: it is just invalid.
    expect(await outcome(verify(later))).toBe('id_token_invalid');
  });

  it('refuses an ID token whose nonce is not the one stored with the sign-in', async () => {
    const token = await forge.genuine();
    expect(await outcome(verify(token, 'another-nonce'))).toBe('id_token_invalid');
    expect(await outcome(verify(token, ''))).toBe('id_token_invalid');
  });

  it('accepts an ID token without nonce (absent or null), saying so once in the log', async () => {
    // No Scalekit source says its ID tokens echo `nonce`; PKCE S256 binds the code to this browser.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      expect(await outcome(verify(await forge.genuine({ without: ['nonce'] })))).toBe('ok');
      expect(await outcome(verify(await forge.genuine({ claims: { nonce: null } })))).toBe('ok');
      expect(warn.mock.calls.map(([line]) => JSON.parse(String(line)))).toEqual([
        {
          event: 'auth_notice',
          detail: expect.stringContaining('ID token without "nonce"'),
        },
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  // Each row: the baseline (idTokenClaims(), the real key, typ JWT) with one change.
  const forged: ForgedToken[] = [
    ...keyAndFormRows(forge),
    {
      name: 'another issuer',
      make: () => forge.genuine({ claims: { iss: 'https://evil.example' } }),
    },
    {
      name: 'an issuer with a trailing slash',
      make: () => forge.genuine({ claims: { iss: `${issuerUrl}/` } }),
    },
    { name: 'no iss', make: () => forge.genuine({ without: ['iss'] }) },
    { name: 'another audience', make: () => forge.genuine({ claims: { aud: ['skc_other'] } }) },
    { name: 'no aud', make: () => forge.genuine({ without: ['aud'] }) },
    { name: 'an expired token', make: () => forge.genuine({ claims: { exp: now() - 60 } }) },
    { name: 'no exp', make: () => forge.genuine({ without: ['exp'] }) },
    { name: 'no iat', make: () => forge.genuine({ without: ['iat'] }) },
    { name: 'nbf in the future', make: () => forge.genuine({ claims: { nbf: now() + 60 } }) },
    { name: 'a nonce that is not a string', make: () => forge.genuine({ claims: { nonce: 1 } }) },
    { name: 'no sub', make: () => forge.genuine({ without: ['sub'] }) },
    { name: 'an empty sub', make: () => forge.genuine({ claims: { sub: '' } }) },
    { name: 'typ at+jwt (an access token)', make: () => typed('at+jwt') },
    { name: 'typ logout+jwt (a logout token)', make: () => typed('logout+jwt') },
  ];
  function typed(typ: string) {
    return forge.genuine({ header: { typ } });
  }

  it('accepts the baseline that every forged token below changes in one respect', async () => {
    expect(await outcome(verify(await forge.genuine()))).toBe('ok');
  });

  it.each(forged)('refuses $name with id_token_invalid', async ({ make }) => {
    expect(await outcome(verify(await make()))).toBe('id_token_invalid');
  });
});

describe('readProfile', () => {
  it('reads only fields of the right type, so a malformed claim is left out, never shown', () => {
    expect(
      readProfile({
        sub: 'usr_1',
        email: ['a@b.co'],
        email_verified: 'true',
        name: 42,
        given_name: 'Ada',
        family_name: null,
        oid: { id: 'org_1' },
      }),
    ).toEqual({
      sub: 'usr_1',
      email: undefined,
      emailVerified: undefined,
      name: undefined,
      givenName: 'Ada',
      familyName: undefined,
      oid: undefined,
    });
  });
});
