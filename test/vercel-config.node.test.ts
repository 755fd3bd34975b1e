import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const raw = readFileSync(new URL('../vercel.json', import.meta.url), 'utf8');
const config = JSON.parse(raw) as {
  framework: string;
  headers: Array<{ source: string; headers: Array<{ key: string; value: string }> }>;
};

describe('vercel.json', () => {
  it('deploys as a Next.js app', () => {
    expect(config.framework).toBe('nextjs');
  });

  it('sends the security headers on every path', () => {
    const all = config.headers.find((rule) => rule.source === '/(.*)')!;
    const headers = Object.fromEntries(
      all.headers.map(({ key, value }) => [key.toLowerCase(), value]),
    );
    expect(headers['strict-transport-security']).toMatch(/max-age=\d{8,}/);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('holds no secrets or environment values', () => {
    expect(raw).not.toMatch(/env|secret|token|SCALEKIT|UPSTASH/i);
  });
});
