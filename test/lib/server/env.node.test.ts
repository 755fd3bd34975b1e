import { describe, expect, it } from 'vitest';
import { configMessage } from '../../support/config-message';
import { readServerSecrets } from '@/lib/server/env';

const messageFor = (env: Record<string, string | undefined>) =>
  configMessage(readServerSecrets, env);

describe('readServerSecrets', () => {
  it('reads the client secret and the default Scalekit timeout', () => {
    expect(readServerSecrets({ SCALEKIT_CLIENT_SECRET: ' s3cret ' })).toEqual({
      clientSecret: 's3cret',
      scalekitTimeoutMs: 8000,
    });
  });

  it('names SCALEKIT_CLIENT_SECRET and where to find it when it is missing', () => {
    expect(messageFor({})).toBe(
      'SCALEKIT_CLIENT_SECRET is missing. Example: SCALEKIT_CLIENT_SECRET=test_abc123… (Dashboard > Developers > API Credentials)',
    );
  });

  it('explains a malformed SCALEKIT_TIMEOUT_MS', () => {
    expect(messageFor({ SCALEKIT_CLIENT_SECRET: 's', SCALEKIT_TIMEOUT_MS: '5s' })).toBe(
      'SCALEKIT_TIMEOUT_MS must be a whole number of milliseconds (100 or more). Example: SCALEKIT_TIMEOUT_MS=8000',
    );
  });
});
