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
          setupFiles: ['test/support/setup-env.ts'],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
