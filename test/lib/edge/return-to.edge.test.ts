import { describe, expect, it } from 'vitest';
import { DEFAULT_RETURN_TO, sanitizeReturnTo } from '@/lib/edge/return-to';

const hostile = [
  '//evil.com',
  '///evil.com',
  '/\\evil.com',
  '\\/evil.com',
  '\\\\evil.com',
  'https://evil.com',
  'http://evil.com/dashboard',
  'HTTPS://evil.com',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '%2F%2Fevil.com',
  '%2f%2fevil.com',
  '/%09/evil.com'.replace('%09', '\t'),
  '/\t/evil.com',
  '/\r\n/evil.com',
  '/\n/evil.com',
  '/dashboard\r\nSet-Cookie: x=1',
  '\t//evil.com',
  ' //evil.com',
  'http:evil.com',
  'https:/evil.com',
  '//user@evil.com',
  '/.//evil.com',
  '/./\\evil.com',
  '/..//evil.com',
  'evil.com',
  'dashboard',
  '',
  `/${'a'.repeat(10 * 1024)}`,
  '/\u0000/evil.com',
  '/\u007f',
  '?next=//evil.com',
  '#//evil.com',
  '//evil.com/%2e%2e',
];

const safe: Array<[string, string]> = [
  ['/dashboard', '/dashboard'],
  ['/dashboard/admin?tab=roles&x=1', '/dashboard/admin?tab=roles&x=1'],
  ['/dashboard?_rsc=abc123&tab=2', '/dashboard?tab=2'],
  ['/@evil.com', '/@evil.com'],
  ['/／evil.com', '/%EF%BC%8Fevil.com'],
  ['/%2F%2Fevil.com', '/%2F%2Fevil.com'],
  ['/a/../dashboard', '/dashboard'],
  ['/search?q=%2F%2Fevil.com', '/search?q=%2F%2Fevil.com'],
];

describe('sanitizeReturnTo', () => {
  it('tests at least 30 hostile payloads', () => {
    expect(hostile.length).toBeGreaterThanOrEqual(30);
  });

  it.each(hostile.map((value) => [JSON.stringify(value).slice(0, 60), value]))(
    'replaces %s with the default',
    (_, value) => {
      expect(sanitizeReturnTo(value)).toBe(DEFAULT_RETURN_TO);
    },
  );

  it.each(safe)('keeps %s on this origin as %s', (value, expected) => {
    const result = sanitizeReturnTo(value);
    expect(result).toBe(expected);
    expect(new URL(result, 'https://app.example').origin).toBe('https://app.example');
  });

  it('returns the default for null, undefined and non-strings', () => {
    expect(sanitizeReturnTo(null)).toBe(DEFAULT_RETURN_TO);
    expect(sanitizeReturnTo(undefined)).toBe(DEFAULT_RETURN_TO);
    expect(sanitizeReturnTo(42 as unknown as string)).toBe(DEFAULT_RETURN_TO);
  });

  it('uses the fallback it is given', () => {
    expect(sanitizeReturnTo('//evil.com', '/')).toBe('/');
  });

  it('never returns anything that leaves the origin, for any ASCII-ish input', () => {
    const alphabet = ['/', '\\', '.', ':', '@', '%', '2', 'f', 'e', '?', '#', 'a', '\t', ' '];
    for (let i = 0; i < 5_000; i++) {
      let value = '';
      const length = 1 + (i % 9);
      for (let j = 0; j < length; j++)
        value += alphabet[(i * 7 + j * 13 + i * j) % alphabet.length];
      const result = sanitizeReturnTo(value);
      expect(result.startsWith('/') && !result.startsWith('//')).toBe(true);
      expect(new URL(result, 'https://app.example').origin).toBe('https://app.example');
    }
  });
});
