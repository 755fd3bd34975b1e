import { describe, expect, it } from 'vitest';
import { seal, unseal } from '@/lib/edge/seal';

const current = 'current-secret-0123456789abcdefghijkl';
const previous = 'previous-secret-0123456789abcdefghijk';

describe('seal and unseal', () => {
  it('round-trips a value and hides it', async () => {
    const sealed = await seal('secret-token-value', 'access', [current]);
    expect(sealed).not.toContain('secret-token-value');
    expect(sealed.split('.')).toHaveLength(5);
    expect(await unseal(sealed, 'access', [current])).toBe('secret-token-value');
  });

  it('opens values sealed with an older secret during a rotation, and seals with the first', async () => {
    const old = await seal('v', 'access', [previous]);
    expect(await unseal(old, 'access', [current, previous])).toBe('v');
    const fresh = await seal('v', 'access', [current, previous]);
    expect(await unseal(fresh, 'access', [current])).toBe('v');
    expect(await unseal(fresh, 'access', [previous])).toBeNull();
  });

  it('refuses a value sealed for another purpose', async () => {
    const refresh = await seal('rt', 'refresh', [current]);
    expect(await unseal(refresh, 'access', [current])).toBeNull();
  });

  it('reads tampered, truncated and garbage values as null without throwing', async () => {
    const sealed = await seal('value', 'access', [current]);
    const parts = sealed.split('.');
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const variants = [
      [parts[0], parts[1], parts[2], flip(parts[3]!), parts[4]].join('.'),
      [parts[0], parts[1], parts[2], parts[3], flip(parts[4]!)].join('.'),
      [parts[0], parts[1], flip(parts[2]!), parts[3], parts[4]].join('.'),
      sealed.slice(0, -3),
      sealed.split('.').slice(0, 4).join('.'),
      '',
      'garbage',
      '....',
      'eyJ.eyJ.eyJ.eyJ.eyJ',
      `${btoa('{"kid":1}')}.a.b.c.d`,
      'x'.repeat(100_000),
    ];
    for (const value of variants) {
      await expect(unseal(value, 'access', [current])).resolves.toBeNull();
    }
  });
});

describe('unseal', () => {
  it('opens only the exact JWE shape seal writes', async () => {
    const sealed = await seal('value', 'access', [current]);
    const [header, ...rest] = sealed.split('.');
    const decoded = JSON.parse(atob(header!.replace(/-/g, '+').replace(/_/g, '/')));
    const reheader = (extra: Record<string, unknown>) =>
      [btoa(JSON.stringify({ ...decoded, ...extra })).replace(/=+$/, ''), ...rest].join('.');
    // A changed protected header fails authentication (it is the AES-GCM additional data) or is
    // refused outright: another algorithm, compression, critical extensions.
    for (const extra of [{ zip: 'DEF' }, { crit: ['x'] }, { alg: 'A256KW' }, { enc: 'A128GCM' }]) {
      await expect(unseal(reheader(extra), 'access', [current])).resolves.toBeNull();
    }
    const withKey = [header, 'AAAA', ...rest.slice(1)].join('.');
    await expect(unseal(withKey, 'access', [current])).resolves.toBeNull();
  });
});
