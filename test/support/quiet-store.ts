import { beforeAll } from 'vitest';
import { getStore } from '@/lib/server/store/get-store';
import { createStoreQuietly } from './app-instance';

// The routes a test file imports share one process-wide store, made on first use. The test
// environment has no Upstash, so that is the in-memory store, whose one-time warning would print
// in whichever test first touches it (a sign-in, since the callback reads the revocation list).
// Made here, before the file's tests run, with that warning checked and kept off the console.
beforeAll(() => createStoreQuietly(getStore));
