import { describe, expect, it } from 'vitest';
import type { AccessTokenClaims } from '@/lib/edge/access-token';
import { stepUpUrl, unmet } from '@/lib/server/guards';
import type { Session } from '@/lib/server/session';

function session(overrides: Partial<AccessTokenClaims> = {}, signedInAt?: number): Session {
  const claims: AccessTokenClaims = {
    sub: 'usr_1',
    sid: 'ses_1',
    oid: 'org_1',
    roles: ['member'],
    permissions: ['organization:read'],
    scopes: [],
    exp: Math.floor(Date.now() / 1000) + 300,
    iat: Math.floor(Date.now() / 1000),
    jti: undefined,
    clientId: undefined,
    payload: {},
    ...overrides,
  };
  return {
    claims,
    user: { sub: 'usr_1' } as Session['user'],
    expiresAt: claims.exp * 1000,
    signedInAt,
  };
}

describe('unmet', () => {
  it('passes a session that meets every requirement given', () => {
    const s = session({ roles: ['admin'], permissions: ['a:write'] }, Date.now());
    expect(unmet(s, {})).toBeNull();
    expect(unmet(s, { role: 'admin', permission: 'a:write', signedInWithin: 60 })).toBeNull();
    expect(unmet(s, { anyRole: ['owner', 'admin'], anyPermission: ['x', 'a:write'] })).toBeNull();
  });

  it.each([
    ['a role', { role: 'admin' }],
    ['a permission', { permission: 'members:invite' }],
    ['any of several roles', { anyRole: ['admin', 'owner'] }],
    ['any of several permissions', { anyPermission: ['billing:read', 'billing:write'] }],
    ['one requirement of several', { role: 'member', permission: 'members:invite' }],
  ])('answers forbidden for a member lacking %s', (_, requirements) => {
    expect(unmet(session({}, Date.now()), requirements)).toBe('forbidden');
  });

  it('asks for a step-up when the sign-in is older than allowed, or its time unknown', () => {
    expect(unmet(session({}, Date.now() - 301_000), { signedInWithin: 300 })).toBe(
      'step_up_required',
    );
    expect(unmet(session({}, Date.now() - 299_000), { signedInWithin: 300 })).toBeNull();
    expect(unmet(session({}, undefined), { signedInWithin: 300 })).toBe('step_up_required');
  });

  it('answers forbidden before step-up: signing in again would not grant a role', () => {
    expect(unmet(session({}, undefined), { role: 'admin', signedInWithin: 300 })).toBe('forbidden');
  });
});

describe('stepUpUrl', () => {
  it('forces a fresh sign-in and comes back, to a safe place only', () => {
    expect(stepUpUrl('/dashboard/security')).toBe(
      '/login?prompt=login&returnTo=%2Fdashboard%2Fsecurity',
    );
    expect(stepUpUrl('//evil.example')).toBe('/login?prompt=login&returnTo=%2Fdashboard');
  });
});
