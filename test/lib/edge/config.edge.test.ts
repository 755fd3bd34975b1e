import { describe, expect, it } from 'vitest';
import { readEdgeConfig } from '@/lib/edge/config';
import { configMessage } from '../../support/config-message';

/** Two outputs of `openssl rand -base64 32`. */
const SECRET = 'q3Vt9bX0c2m7ZkLr1WpA8sJfE5hYgNdTuO4iKlMzQyE=';
const OLD_SECRET = 'H8f2Lw0pZr5kXc1Vb7NmQ9sTd3GyJe6AuR4iOlKzWxY=';

const valid = {
  SCALEKIT_ENV_URL: 'https://acme.scalekit.com',
  SCALEKIT_CLIENT_ID: 'skc_123',
  APP_URL: 'https://app.example.com',
  SESSION_COOKIE_SECRET: SECRET,
};

const messageFor = (env: Record<string, string | undefined>) => configMessage(readEdgeConfig, env);

describe('readEdgeConfig', () => {
  it('reads a valid environment', () => {
    expect(readEdgeConfig(valid)).toEqual({
      envUrl: 'https://acme.scalekit.com',
      clientId: 'skc_123',
      appUrl: 'https://app.example.com',
      sessionSecrets: [SECRET],
      secureCookies: true,
      sessionMaxAgeSeconds: 604800,
      sessionCacheMaxEntries: 10000,
      sessionCacheMaxBytes: 4194304,
      sessionCacheMaxAgeSeconds: 60,
      upstash: null,
      revocation: 'off',
      revocationOnStoreError: 'allow',
    });
  });

  it('drops trailing slashes from SCALEKIT_ENV_URL, since Scalekit issuers have none', () => {
    expect(
      readEdgeConfig({ ...valid, SCALEKIT_ENV_URL: 'https://acme.scalekit.com//' }).envUrl,
    ).toBe('https://acme.scalekit.com');
  });

  it('accepts plain http on loopback only', () => {
    expect(readEdgeConfig({ ...valid, SCALEKIT_ENV_URL: 'http://127.0.0.1:4455' }).envUrl).toBe(
      'http://127.0.0.1:4455',
    );
    const local = readEdgeConfig({ ...valid, APP_URL: 'http://localhost:3000' });
    expect(local.secureCookies).toBe(false);
  });

  it('reads several session secrets, newest first', () => {
    const secrets = `${SECRET}, ${OLD_SECRET}`;
    expect(readEdgeConfig({ ...valid, SESSION_COOKIE_SECRET: secrets }).sessionSecrets).toEqual([
      SECRET,
      OLD_SECRET,
    ]);
  });

  it('refuses weak session secrets but accepts random ones of every common encoding', () => {
    const random = (bytes: number, encoding: 'base64' | 'base64url' | 'hex') => {
      const value = crypto.getRandomValues(new Uint8Array(bytes));
      if (encoding === 'hex')
        return Array.from(value, (b) => b.toString(16).padStart(2, '0')).join('');
      const base64 = btoa(String.fromCharCode(...value));
      return encoding === 'base64'
        ? base64
        : base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    };
    for (let i = 0; i < 200; i++) {
      for (const encoding of ['base64', 'base64url', 'hex'] as const) {
        const secret = random(32, encoding);
        expect(readEdgeConfig({ ...valid, SESSION_COOKIE_SECRET: secret }).sessionSecrets).toEqual([
          secret,
        ]);
      }
    }
  });

  it.each<[Record<string, string | undefined>, string]>([
    [
      { SCALEKIT_ENV_URL: undefined },
      'SCALEKIT_ENV_URL is missing. Example: SCALEKIT_ENV_URL=https://acme.scalekit.com',
    ],
    [
      { SCALEKIT_ENV_URL: 'acme.scalekit.com' },
      'SCALEKIT_ENV_URL is not a URL. Example: SCALEKIT_ENV_URL=https://acme.scalekit.com',
    ],
    [
      { SCALEKIT_ENV_URL: 'http://acme.scalekit.com' },
      'SCALEKIT_ENV_URL must use https (plain http only on loopback). Example: SCALEKIT_ENV_URL=https://acme.scalekit.com',
    ],
    [
      { SCALEKIT_ENV_URL: 'https://acme.scalekit.com?x=1' },
      'SCALEKIT_ENV_URL must not carry a query, fragment or credentials. Example: SCALEKIT_ENV_URL=https://acme.scalekit.com',
    ],
    [
      { SCALEKIT_CLIENT_ID: ' ' },
      'SCALEKIT_CLIENT_ID is missing. Example: SCALEKIT_CLIENT_ID=skc_1234567890',
    ],
    [{ APP_URL: undefined }, 'APP_URL is missing. Example: APP_URL=https://app.example.com'],
    [
      { APP_URL: 'app.example.com' },
      'APP_URL is not an absolute URL. Example: APP_URL=https://app.example.com',
    ],
    [
      { APP_URL: 'https://app.example.com/app' },
      'APP_URL must be an origin only (no path, query or fragment). Example: APP_URL=https://app.example.com',
    ],
    [
      { APP_URL: 'ftp://app.example.com' },
      'APP_URL must be an http(s) origin. Example: APP_URL=https://app.example.com',
    ],
    [
      { APP_URL: 'http://app.example.com' },
      'APP_URL must use https (plain http only on loopback). Example: APP_URL=https://app.example.com',
    ],
    [
      { SESSION_COOKIE_SECRET: undefined },
      'SESSION_COOKIE_SECRET is missing. Example: SESSION_COOKIE_SECRET=$(openssl rand -base64 32)',
    ],
    [
      { SESSION_COOKIE_SECRET: 'short' },
      'SESSION_COOKIE_SECRET must be at least 32 bytes. Example: SESSION_COOKIE_SECRET=$(openssl rand -base64 32)',
    ],
    [
      { SESSION_COOKIE_SECRET: `${SECRET},short` },
      'SESSION_COOKIE_SECRET must be at least 32 bytes (entry 2). Example: SESSION_COOKIE_SECRET=$(openssl rand -base64 32)',
    ],
    ...[
      ['repeated characters', 'a'.repeat(44)],
      ['a short cycle', 'abcd'.repeat(11)],
      ['a repeated block of hex', '0123456789abcdef'.repeat(2)],
      ['a passphrase', 'correct horse battery staple and then some more'],
      ['a repeated word with digits', 'Summer2024!'.repeat(3)],
    ].map(([, secret]): [Record<string, string | undefined>, string] => [
      { SESSION_COOKIE_SECRET: secret },
      'SESSION_COOKIE_SECRET looks guessable: use 32 random bytes, not words, a passphrase or a pattern. Example: SESSION_COOKIE_SECRET=$(openssl rand -base64 32)',
    ]),
    [
      { SESSION_COOKIE_SECRET: `${SECRET},${'z'.repeat(40)}` },
      'SESSION_COOKIE_SECRET looks guessable (entry 2): use 32 random bytes, not words, a passphrase or a pattern. Example: SESSION_COOKIE_SECRET=$(openssl rand -base64 32)',
    ],
    [
      { SESSION_REVOCATION: 'sometimes' },
      'SESSION_REVOCATION must be one of off, strict. Example: SESSION_REVOCATION=strict',
    ],
    [
      { SESSION_REVOCATION_ON_STORE_ERROR: 'maybe' },
      'SESSION_REVOCATION_ON_STORE_ERROR must be one of allow, deny. Example: SESSION_REVOCATION_ON_STORE_ERROR=deny',
    ],
    [
      { SESSION_MAX_AGE_SECONDS: '10' },
      'SESSION_MAX_AGE_SECONDS must be a whole number of seconds, at least 60. Example: SESSION_MAX_AGE_SECONDS=604800',
    ],
    [
      { SESSION_REVOCATION: 'strict' },
      'SESSION_REVOCATION strict needs Upstash Redis (UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN). Example: SESSION_REVOCATION=off',
    ],
    [
      { SESSION_CACHE_MAX_ENTRIES: '-1' },
      'SESSION_CACHE_MAX_ENTRIES must be a whole number (0 turns it off). Example: SESSION_CACHE_MAX_ENTRIES=10000',
    ],
    [
      { SESSION_CACHE_MAX_BYTES: '4MB' },
      'SESSION_CACHE_MAX_BYTES must be a whole number (0 turns it off). Example: SESSION_CACHE_MAX_BYTES=4194304',
    ],
    [
      { SESSION_CACHE_MAX_AGE_SECONDS: '0' },
      'SESSION_CACHE_MAX_AGE_SECONDS must be a whole number of seconds, at least 1. Example: SESSION_CACHE_MAX_AGE_SECONDS=60',
    ],
  ])('explains %o', (override, message) => {
    expect(messageFor({ ...valid, ...override })).toBe(message);
  });

  it('accepts strict revocation with Upstash, or with Vercel KV variables', () => {
    const upstash = {
      UPSTASH_REDIS_REST_URL: 'https://db.upstash.io',
      UPSTASH_REDIS_REST_TOKEN: 't',
    };
    const kv = { KV_REST_API_URL: 'https://db.upstash.io', KV_REST_API_TOKEN: 't' };
    for (const env of [upstash, kv]) {
      expect(readEdgeConfig({ ...valid, ...env, SESSION_REVOCATION: 'strict' }).revocation).toBe(
        'strict',
      );
    }
  });

  describe('on Vercel without APP_URL', () => {
    const vercel = { ...valid, APP_URL: undefined, VERCEL_URL: 'app-git-x-team.vercel.app' };

    it('uses the production domain in production', () => {
      const env = {
        ...vercel,
        VERCEL_ENV: 'production',
        VERCEL_PROJECT_PRODUCTION_URL: 'app.example.com',
      };
      expect(readEdgeConfig(env).appUrl).toBe('https://app.example.com');
    });

    it("uses the deployment's own URL on previews", () => {
      expect(readEdgeConfig({ ...vercel, VERCEL_ENV: 'preview' }).appUrl).toBe(
        'https://app-git-x-team.vercel.app',
      );
    });
  });
});
