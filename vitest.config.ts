import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

// `server-only` throws unless resolved with the `react-server` condition, which Next sets for
// server code but vitest does not; in tests it is the empty module Next would resolve.
const resolve = {
  alias: {
    '@/': root,
    'server-only': fileURLToPath(new URL('./test/support/server-only.ts', import.meta.url)),
  },
};

export default defineConfig({
  test: {
    projects: [
      {
        resolve,
        test: {
          name: 'edge',
          environment: 'edge-runtime',
          include: ['test/**/*.edge.test.ts'],
          globalSetup: ['test/support/global-issuer.ts'],
          setupFiles: ['test/support/setup-env.ts'],
          // Files share one issuer whose counters and faults the JWKS tests drive.
          fileParallelism: false,
          testTimeout: 20_000,
        },
      },
      {
        resolve,
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/**/*.node.test.ts'],
          globalSetup: ['test/support/global-issuer.ts'],
          setupFiles: ['test/support/setup-env.ts', 'test/support/quiet-store.ts'],
          // Suites inject faults into the shared issuer's endpoints.
          fileParallelism: false,
          testTimeout: 30_000,
          // A file's first app instance imports the SDK and Next's server modules cold: 11.6 s
          // measured with two CPU hogs (load 12 on two cores), past the 10 s default for hooks that
          // load one. Later instances take 0.1-0.2 s.
          hookTimeout: 60_000,
        },
      },
      {
        resolve,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.e2e.test.ts'],
          // Builds the app once (`next build`), then serves it against its own issuer.
          globalSetup: ['test/e2e/global-setup.ts'],
          // One browser at a time on the shared server and issuer: counters stay per test, and
          // two cores are not shared with the unit projects (this group runs after theirs).
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          hookTimeout: 300_000,
          testTimeout: 120_000,
        },
      },
      {
        resolve,
        test: {
          name: 'vercel',
          environment: 'node',
          include: ['test/vercel/**/*.vercel.test.ts'],
          // `vercel build` (npm ci, then next build) takes both cores for minutes: after the e2e
          // group, so no other build or browser shares them.
          sequence: { groupOrder: 2 },
          // The CLI's first install (~30 s) and the build (~2 min), on a busy machine.
          hookTimeout: 900_000,
          testTimeout: 30_000,
        },
      },
    ],
  },
});
