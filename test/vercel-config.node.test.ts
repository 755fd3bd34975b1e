import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const raw = readFileSync(new URL('../vercel.json', import.meta.url), 'utf8');
const config = JSON.parse(raw) as Record<string, unknown>;

describe('vercel.json', () => {
  it('deploys as a Next.js app', () => {
    expect(config.framework).toBe('nextjs');
  });

  it('holds only what Vercel alone needs: the security headers come from the app', () => {
    expect(Object.keys(config).sort()).toEqual(
      ['$schema', 'buildCommand', 'framework', 'installCommand'].sort(),
    );
  });

  it('holds no secrets or environment values', () => {
    expect(raw).not.toMatch(/env|secret|token|SCALEKIT|UPSTASH/i);
  });
});
