import { describe, expect, it } from 'vitest';
import { bundleForEdge } from './support/edge-bundle';

describe('the Edge boundary', () => {
  it('bundles the real middleware for the Edge with no Node-only code in it', async () => {
    const report = await bundleForEdge('middleware.ts');
    expect(report.errors).toEqual([]);
    expect(report.forbidden).toEqual([]);
    expect(report.bytes).toBeGreaterThan(1_000);
  });

  it('keeps @upstash/redis out of the middleware, which reads revocations with one fetch', async () => {
    const report = await bundleForEdge('middleware.ts');
    expect(report.inputs.some((path) => path.includes('node_modules/@upstash/redis/'))).toBe(false);
  });

  it('rejects a middleware that imports lib/server', async () => {
    const report = await bundleForEdge('test/fixtures/middleware-importing-server.ts');
    const problems = [...report.errors, ...report.forbidden].join('\n');
    expect(problems).toMatch(/node:|@scalekit-sdk|axios|@connectrpc/);
  });

  it('rejects a middleware that imports the Scalekit SDK', async () => {
    const report = await bundleForEdge('test/fixtures/middleware-importing-sdk.ts');
    const problems = [...report.errors, ...report.forbidden].join('\n');
    expect(problems).toMatch(/node:|@scalekit-sdk|axios|@connectrpc/);
  });
});
