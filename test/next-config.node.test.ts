import { describe, expect, it } from 'vitest';
import { securityHeaders } from '@/lib/config/security-headers';
import nextConfig from '../next.config';

const byName = (headers: Array<{ key: string; value: string }>) =>
  Object.fromEntries(headers.map(({ key, value }) => [key.toLowerCase(), value]));

describe('next.config.ts', () => {
  it('sends the security headers from the app itself, on every path', async () => {
    const rules = await nextConfig.headers!();
    expect(rules).toHaveLength(1);
    expect(rules[0]!.source).toBe('/:path*');
    const headers = byName(rules[0]!.headers);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(headers['content-security-policy']).toBe("frame-ancestors 'none'");
    expect(headers['x-frame-options']).toBe('DENY');
  });

  it('adds HSTS only when the app is served over https', () => {
    expect(byName(securityHeaders({ APP_URL: 'https://app.example.com' }))).toHaveProperty(
      'strict-transport-security',
      'max-age=63072000; includeSubDomains',
    );
    expect(
      byName(securityHeaders({ VERCEL_ENV: 'preview', VERCEL_URL: 'x.vercel.app' })),
    ).toHaveProperty('strict-transport-security');
    expect(byName(securityHeaders({ APP_URL: 'http://127.0.0.1:3000' }))).not.toHaveProperty(
      'strict-transport-security',
    );
    expect(byName(securityHeaders({}))).not.toHaveProperty('strict-transport-security');
  });
});
