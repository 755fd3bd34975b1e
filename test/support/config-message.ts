import { expect } from 'vitest';
import { AuthError } from '@/lib/edge/errors';

/** The message of the `config_invalid` error that reading `env` throws. */
export function configMessage<Env>(read: (env: Env) => unknown, env: Env): string {
  try {
    read(env);
  } catch (err) {
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('config_invalid');
    return (err as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}
