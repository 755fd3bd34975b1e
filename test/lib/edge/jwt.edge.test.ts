import { base64url, importJWK, jwtVerify } from 'jose';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { createKeySet } from '@/lib/edge/jwks';
import { CLOCK_TOLERANCE_SECONDS, verifyJwt, type TokenKind } from '@/lib/edge/jwt';
import { issuerControl } from '../../support/issuer-control';
import { outcome } from '../../support/outcome';
import { tokenForge } from '../../support/forged-tokens';
import { accessTokenClaims } from '../../support/tokens';

const issuerUrl = inject('issuerUrl');
const control = issuerControl(issuerUrl);
const keysUrl = new URL(`${issuerUrl}/keys`);

// Kinds of the core's own making: the rules under test are the core's, whatever the real kinds
// (access, ID, logout token) set them to.
const kind = (overrides: Partial<TokenKind> = {}): TokenKind => ({
  name: 'test token',
  typ: ['jwt', 'at+jwt'],
  requiredClaims: ['exp', 'iat', 'sub'],
  invalid: 'token_invalid',
  ...overrides,
});
const TEST_KIND = kind();
const OTHER_CODE_KIND = kind({ invalid: 'id_token_invalid' });

const keySet = createKeySet(keysUrl);
const verify = (token: string, tokenKind = TEST_KIND) => verifyJwt(token, tokenKind, keySet);

/** Freezes the clock at `seconds` (plus half a second, the middle of that second). */
const freezeAt = (seconds: number) =>
  vi.useFakeTimers({ toFake: ['Date'], now: seconds * 1000 + 500 });

describe('verifyJwt', () => {
  const forge = tokenForge(control, issuerUrl, {
    claims: accessTokenClaims,
    header: { typ: 'JWT' },
  });

  afterEach(async () => {
    vi.useRealTimers();
    await control.setFault('keys', null);
  });

  it('returns the payload of a genuine token, not expired', async () => {
    const claims = accessTokenClaims();
    const result = await verify(await control.sign(claims));
    expect(result).toEqual({ payload: claims, expired: false });
  });

  describe('the typ header, compared as a media type', () => {
    it.each(['JWT', 'jwt', 'at+jwt', 'AT+JWT', 'application/jwt', 'Application/At+JWT'])(
      'accepts typ %s for a kind allowing jwt and at+jwt',
      async (typ) => {
        expect(await outcome(verify(await forge.genuine({ header: { typ } })))).toBe('ok');
      },
    );

    it('accepts a token without typ', async () => {
      expect(await outcome(verify(await forge.genuine({ header: { typ: null } })))).toBe('ok');
    });

    it.each([
      'logout+jwt',
      'application/logout+jwt',
      'JWT+other',
      'jwt; charset=utf-8',
      'text/jwt',
      'application/application/jwt',
      'JOSE',
      '',
      42,
    ])('refuses typ %s', async (typ) => {
      expect(await outcome(verify(await forge.genuine({ header: { typ } })))).toBe('token_invalid');
    });

    it("follows the kind's list: logout+jwt passes for a kind that allows it", async () => {
      const logoutKind = kind({ typ: ['logout+jwt'] });
      const token = await forge.genuine({ header: { typ: 'application/logout+jwt' } });
      expect(await outcome(verify(token, logoutKind))).toBe('ok');
      expect(await outcome(verify(await forge.genuine(), logoutKind))).toBe('token_invalid');
    });
  });

  describe('required claims', () => {
    it.each(['exp', 'iat', 'sub', 'iss', 'aud'])('refuses a token without %s', async (claim) => {
      expect(await outcome(verify(await forge.genuine({ without: [claim] })))).toBe(
        'token_invalid',
      );
    });

    it('accepts a token without claims the kind does not require', async () => {
      const token = await forge.genuine({ without: ['nbf', 'jti', 'sid', 'oid'] });
      expect(await outcome(verify(token))).toBe('ok');
    });

    it('requires what the kind lists: a nonce only for a kind that asks for one', async () => {
      const token = await forge.genuine();
      expect(await outcome(verify(token))).toBe('ok');
      const withNonce = kind({ requiredClaims: ['exp', 'iat', 'sub', 'nonce'] });
      expect(await outcome(verify(token, withNonce))).toBe('token_invalid');
    });
  });

  describe(`the ${CLOCK_TOLERANCE_SECONDS} s clock tolerance`, () => {
    it('accepts a token 4 s past exp and reports one 6 s past it as expired', async () => {
      const now = Math.floor(Date.now() / 1000);
      const late = await forge.genuine({ claims: { iat: now - 300, exp: now - 4 } });
      const later = await forge.genuine({ claims: { iat: now - 300, exp: now - 6 } });
      freezeAt(now);
      expect(await verify(late)).toMatchObject({ expired: false });
      expect(await verify(later)).toMatchObject({ expired: true });
    });

    it('accepts nbf 4 s in the future and refuses it 6 s in the future', async () => {
      const now = Math.floor(Date.now() / 1000);
      const soon = await forge.genuine({ claims: { nbf: now + 4 } });
      const later = await forge.genuine({ claims: { nbf: now + 6 } });
      freezeAt(now);
      expect(await outcome(verify(soon))).toBe('ok');
      expect(await outcome(verify(later))).toBe('token_invalid');
    });
  });

  describe('maxTokenAge', () => {
    const fresh = kind({ maxTokenAge: '5 minutes' });

    it('accepts a token issued 5 minutes (plus the tolerance) ago, and refuses an older one', async () => {
      const now = Math.floor(Date.now() / 1000);
      const old = await forge.genuine({ claims: { iat: now - 300 - 4 } });
      const older = await forge.genuine({ claims: { iat: now - 300 - 6 } });
      freezeAt(now);
      expect(await outcome(verifyJwt(old, fresh, keySet))).toBe('ok');
      expect(await outcome(verifyJwt(older, fresh, keySet))).toBe('token_invalid');
      // Without the rule, age is no reason to refuse.
      expect(await outcome(verify(older))).toBe('ok');
    });

    it('refuses a token issued in the future', async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = await forge.genuine({ claims: { iat: now + 60 } });
      freezeAt(now);
      expect(await outcome(verifyJwt(token, fresh, keySet))).toBe('token_invalid');
    });

    it('needs an iat even when the kind does not list it', async () => {
      const token = await forge.genuine({ without: ['iat'] });
      const withoutIat = kind({ requiredClaims: ['exp', 'sub'] });
      expect(await outcome(verify(token, withoutIat))).toBe('ok');
      expect(
        await outcome(verifyJwt(token, { ...withoutIat, maxTokenAge: '5 minutes' }, keySet)),
      ).toBe('token_invalid');
    });
  });

  describe('the expired flag', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const expired = { iat: now() - 600, exp: now() - 60 };

    it('is set, with the payload, for a token whose only fault is exp', async () => {
      const claims = accessTokenClaims(expired);
      const result = await verify(await control.sign(claims));
      expect(result).toEqual({ payload: claims, expired: true });
    });

    it.each([
      ['a wrong audience', { claims: { ...expired, aud: ['skc_other'] } }],
      ['a wrong issuer', { claims: { ...expired, iss: 'https://evil.example' } }],
      ['a missing required claim', { claims: expired, without: ['sub'] }],
      ['nbf in the future', { claims: { ...expired, nbf: now() + 60 } }],
      ['a typ of another kind', { claims: expired, header: { typ: 'logout+jwt' } }],
    ])('is not set for an expired token that also has %s: that is refused', async (_, change) => {
      expect(await outcome(verify(await forge.genuine(change)))).toBe('token_invalid');
    });

    it('is not set for an expired token with a broken signature', async () => {
      const [header, , signature] = (await forge.genuine({ claims: expired })).split('.');
      const other = forge.payload({ claims: { ...expired, sub: 'usr_victim' } });
      const tampered = `${header}.${base64url.encode(JSON.stringify(other))}.${signature}`;
      expect(await outcome(verify(tampered))).toBe('token_invalid');
    });

    it('is not set for a token too old for maxTokenAge (jose reports that as expired, by iat)', async () => {
      const token = await forge.genuine({ claims: { iat: now() - 3600 } });
      const fresh = kind({ maxTokenAge: '5 minutes' });
      expect(await outcome(verifyJwt(token, fresh, keySet))).toBe('token_invalid');
    });
  });

  describe('the code a failure is reported with', () => {
    it.each([
      ['an empty token', async () => ''],
      ['a forged signature', async () => forge.signedWith((await forge.keys()).attacker, 'RS256')],
      ['a typ it does not allow', () => forge.genuine({ header: { typ: 'logout+jwt' } })],
      ['a missing claim', () => forge.genuine({ without: ['sub'] })],
      ['a wrong audience', () => forge.genuine({ claims: { aud: ['skc_other'] } })],
      ['a jku header', () => forge.genuine({ header: { jku: 'https://evil.example/keys' } })],
      ['alg none', () => forge.unsigned({ header: { alg: 'none' } })],
    ])("is the kind's own for %s", async (_, make) => {
      const token = await make();
      expect(await outcome(verify(token, TEST_KIND))).toBe('token_invalid');
      expect(await outcome(verify(token, OTHER_CODE_KIND))).toBe('id_token_invalid');
    });

    it('is jwks_unavailable, for every kind, when the keys cannot be fetched on a cold isolate', async () => {
      const token = await forge.genuine();
      await control.setFault('keys', 'error');
      for (const tokenKind of [TEST_KIND, OTHER_CODE_KIND]) {
        const cold = createKeySet(keysUrl);
        expect(await outcome(verifyJwt(token, tokenKind, cold))).toBe('jwks_unavailable');
      }
    });
  });

  describe('algorithms', () => {
    it.each(['PS256', 'RS512'])(
      'refuses %s although the real key made the signature (it verifies under %s itself)',
      async (alg) => {
        const token = await forge.genuine({ header: { alg } });
        const { realPublicJwk, realKid } = await forge.keys();
        const { kty, n, e } = realPublicJwk;
        await expect(
          jwtVerify(token, await importJWK({ kty, n, e }, alg), { algorithms: [alg] }),
        ).resolves.toMatchObject({ protectedHeader: { alg, kid: realKid } });
        expect(await outcome(verify(token))).toBe('token_invalid');
      },
    );
  });
});
