import { describe, expect, it } from 'vitest';
import { bundleForEdge } from '../../../support/edge-bundle';

describe('lib/edge/store', () => {
  it('bundles for the Edge with no Node-only code in it, @upstash/redis included', async () => {
    const report = await bundleForEdge('lib/edge/store/index.ts');
    expect(report.errors).toEqual([]);
    expect(report.forbidden).toEqual([]);
  });
});
