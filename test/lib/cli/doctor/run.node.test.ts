import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readAppUrl, readEdgeConfig } from '@/lib/edge/config';
import { CHECK_TITLES } from '@/lib/cli/doctor/report';
import { runDoctor, type RunOptions } from '@/lib/cli/doctor/run';
import { readServerSecrets } from '@/lib/server/env';
import { configMessage } from '../../../support/config-message';
import {
  checkLines,
  expectNoSecrets,
  lineOf,
  LOOPBACK_APP_URL,
  notPassing,
  startDoctorTargets,
  type DoctorTargets,
} from '../../../support/doctor';
import { freePort } from '../../../support/free-port';

let targets: DoctorTargets;

beforeAll(async () => {
  targets = await startDoctorTargets();
});
afterEach(() => {
  targets.issuer.setDateSkew(0);
  for (const endpoint of ['discovery', 'keys', 'token', 'authorize'] as const) {
    targets.issuer.setFault(endpoint, null);
  }
});
afterAll(() => targets?.close());

type Env = Record<string, string | undefined>;

const CONFIG_FIX =
  "Set it in .env.local for npm run dev, or in the Vercel project's environment variables.";

/** Runs the doctor in-process on `changes` applied to the right environment; never a secret out. */
async function doctor(changes: Env = {}, argv: string[] = [], options: RunOptions = {}) {
  const env = { ...targets.env, ...changes };
  const result = await runDoctor(argv, env, options);
  expectNoSecrets(result.output, targets.env, changes);
  return result;
}

describe('the doctor, configured right', () => {
  it('passes every check, one line each, and exits 0', async () => {
    const { output, exitCode } = await doctor();
    expect(checkLines(output).map((line) => `${line.id}:${line.status}`)).toEqual(
      Object.keys(CHECK_TITLES).map((id) => `${id}:pass`),
    );
    expect(exitCode).toBe(0);
    expect(output).toMatch(
      /\n\ndoctor: 8 passed, 0 warnings, 0 failed \(variables from the environment\)\n$/,
    );
  });

  it('says what each check found', async () => {
    const { output } = await doctor();
    const { url, clientId } = targets.issuer;
    expect(lineOf(output, 'issuer')).toBe(
      `${url} answers, and its issuer is SCALEKIT_ENV_URL exactly`,
    );
    expect(lineOf(output, 'keys')).toMatch(
      new RegExp(`^${url}/keys serves an RS256 key with a kid \\(snk_\\w+\\)$`),
    );
    expect(lineOf(output, 'client')).toContain(
      `accepts SCALEKIT_CLIENT_ID ${clientId} and its secret`,
    );
    expect(lineOf(output, 'callback')).toBe(
      'Scalekit accepts https://app.example.com/api/callback: /oauth/authorize sends the browser on to its login page (the Initiate login URL, which no endpoint shows, must be https://app.example.com/login)',
    );
    expect(lineOf(output, 'clock')).toMatch(/agrees with the environment's to about 1 s/);
    expect(lineOf(output, 'upstash')).toMatch(
      /one MGET takes \d+(\.\d)? ms from here \(median of 5\), which SESSION_REVOCATION=strict adds to a session's first protected request of each second in each isolate \(it is off\)$/,
    );
    expect(lineOf(output, 'cookies')).toBe(
      'https://app.example.com: __Host-sk_access, __Host-sk_id, __Host-sk_txn (Path=/) and __Secure-sk_refresh (Path=/api/refresh), each HttpOnly; Secure; SameSite=Lax',
    );
  });

  it('notes the other loopback name as another cookie jar, and plain http cookies as not Secure', async () => {
    const { output, exitCode } = await doctor({
      APP_URL: LOOPBACK_APP_URL,
      SESSION_REVOCATION: 'strict',
    });
    expect(notPassing(output)).toEqual([]);
    expect(exitCode).toBe(0);
    expect(lineOf(output, 'cookies')).toBe(
      'http://localhost:3999: sk_access, sk_id, sk_txn (Path=/) and sk_refresh (Path=/api/refresh), each HttpOnly; not Secure (plain http, on this machine only); SameSite=Lax; localhost and 127.0.0.1 keep separate cookie jars: open http://localhost:3999, not http://127.0.0.1:3999',
    );
    expect(lineOf(output, 'upstash')).toMatch(/\(it is on\)$/);
  });

  it('passes without Upstash, which is optional', async () => {
    const { output } = await doctor({
      UPSTASH_REDIS_REST_URL: undefined,
      UPSTASH_REDIS_REST_TOKEN: undefined,
    });
    expect(notPassing(output)).toEqual([]);
    expect(lineOf(output, 'upstash')).toBe(
      'not configured: an in-memory store coordinates refresh and sign-out on one instance',
    );
  });
});

describe('the doctor, on each misconfiguration, fails that check and nothing else', () => {
  it('SCALEKIT_ENV_URL on another host than the issuer: says what the issuer is', async () => {
    const elsewhere = targets.issuer.url.replace('127.0.0.1', 'localhost');
    const { output, exitCode } = await doctor({ SCALEKIT_ENV_URL: elsewhere });
    expect(notPassing(output)).toEqual(['issuer:fail']);
    expect(exitCode).toBe(1);
    expect(output).toContain(
      `✗ issuer: the environment's issuer is "${targets.issuer.url}", not SCALEKIT_ENV_URL "${elsewhere}" (another host: another region, domain or environment): every token's iss would be refused → Set SCALEKIT_ENV_URL=${targets.issuer.url} (the environment URL in Dashboard > Developers > API Credentials).\n`,
    );
  });

  it('SCALEKIT_ENV_URL with a path: no OpenID configuration there, the rest not checked', async () => {
    const { output } = await doctor({ SCALEKIT_ENV_URL: `${targets.issuer.url}/acme` });
    expect(notPassing(output)).toEqual([
      'issuer:fail',
      'keys:skip',
      'client:skip',
      'callback:skip',
      'clock:skip',
    ]);
    expect(lineOf(output, 'issuer')).toMatch(
      /\/acme\/\.well-known\/openid-configuration answered HTTP 404, not an OpenID configuration → Set SCALEKIT_ENV_URL to the environment URL itself, with no path/,
    );
    expect(lineOf(output, 'client')).toBe(
      'not checked: no Scalekit environment answered at SCALEKIT_ENV_URL',
    );
  });

  it('the environment unreachable (a closed port): says so, the rest not checked', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const { output, exitCode } = await doctor({ SCALEKIT_ENV_URL: closed });
    expect(notPassing(output)).toEqual([
      'issuer:fail',
      'keys:skip',
      'client:skip',
      'callback:skip',
      'clock:skip',
    ]);
    expect(exitCode).toBe(1);
    expect(lineOf(output, 'issuer')).toMatch(
      new RegExp(
        `^${closed} refused the connection \\(nothing listens there\\) → Copy SCALEKIT_ENV_URL from`,
      ),
    );
  });

  it('an environment that never answers: gives up after the timeout instead of hanging', async () => {
    targets.issuer.setFault('discovery', 'hang');
    const started = performance.now();
    const { output } = await doctor({}, [], { timeoutMs: 500 });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(notPassing(output)).toEqual([
      'issuer:fail',
      'keys:skip',
      'client:skip',
      'callback:skip',
      'clock:skip',
    ]);
    expect(lineOf(output, 'issuer')).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+ did not answer within 0\.5 s/,
    );
  });

  it('no usable signing keys', async () => {
    targets.issuer.setFault('keys', 'error');
    const { output } = await doctor();
    expect(notPassing(output)).toEqual(['keys:fail']);
    expect(lineOf(output, 'keys')).toMatch(
      /\/keys answered HTTP 500, not a key set → Check that SCALEKIT_ENV_URL/,
    );
  });

  it('a wrong client secret: "wrong client id or secret"', async () => {
    const { output, exitCode } = await doctor({ SCALEKIT_CLIENT_SECRET: 'not-the-secret-4d1f0c' });
    expect(notPassing(output)).toEqual(['client:fail']);
    expect(exitCode).toBe(1);
    expect(lineOf(output, 'client')).toBe(
      `wrong client id or secret: the token endpoint answered HTTP 401 invalid_client for SCALEKIT_CLIENT_ID ${targets.issuer.clientId} → Copy SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET from this environment's Dashboard > Developers > API Credentials (generate a new secret if it is lost).`,
    );
  });

  it('a token endpoint failing: cannot tell (!) whether the secret is right', async () => {
    targets.issuer.setFault('token', 'error');
    const { output, exitCode } = await doctor();
    expect(notPassing(output)).toEqual(['client:warn']);
    expect(exitCode).toBe(0);
    expect(lineOf(output, 'client')).toMatch(
      /^cannot tell: the token endpoint answered HTTP 500 server_error to a client_credentials grant → /,
    );
  });

  it('a callback URL not on the allow-list', async () => {
    const { output, exitCode } = await doctor({ APP_URL: 'https://unlisted.example.com' });
    expect(notPassing(output)).toEqual(['callback:fail']);
    expect(exitCode).toBe(1);
    expect(lineOf(output, 'callback')).toBe(
      '/oauth/authorize answered HTTP 400 with an error page for https://unlisted.example.com/api/callback: it is not an allowed callback URL → Add https://unlisted.example.com/api/callback under Dashboard > Authentication > Redirects > Allowed Callback URLs, exactly as written here.',
    );
  });

  it('a loopback callback URL registered under the other loopback name', async () => {
    const { output } = await doctor({ APP_URL: 'http://127.0.0.1:3999' });
    expect(notPassing(output)).toEqual(['callback:fail']);
    expect(lineOf(output, 'callback')).toMatch(
      /exactly as written here \(http:\/\/localhost:3999\/api\/callback is a different URL\)\.$/,
    );
  });

  it('an authorize endpoint answering unexpectedly: cannot tell (!)', async () => {
    targets.issuer.setFault('authorize', 'error');
    const { output, exitCode } = await doctor();
    expect(notPassing(output)).toEqual(['callback:warn']);
    expect(exitCode).toBe(0);
    expect(lineOf(output, 'callback')).toMatch(
      /^cannot tell: \/oauth\/authorize answered HTTP 500 without a redirect → Check that https:\/\/app\.example\.com\/api\/callback is listed/,
    );
  });

  it('a clock 3 s off: a warning (!), with the skew measured', async () => {
    targets.issuer.setDateSkew(3);
    const { output, exitCode } = await doctor();
    expect(notPassing(output)).toEqual(['clock:warn']);
    expect(exitCode).toBe(0);
    expect(lineOf(output, 'clock')).toMatch(
      /^this machine's clock is [23]\.\d s behind the environment's: within the 5 s the app allows on token times, with little margin left → Synchronise/,
    );
  });

  it('a clock 30 s off, in either direction: beyond the token tolerance (✗)', async () => {
    targets.issuer.setDateSkew(30);
    const behind = await doctor();
    expect(notPassing(behind.output)).toEqual(['clock:fail']);
    expect(behind.exitCode).toBe(1);
    expect(lineOf(behind.output, 'clock')).toMatch(
      /^this machine's clock is (29|30)\.\d s behind the environment's, beyond the 5 s the app allows on token times/,
    );
    targets.issuer.setDateSkew(-30);
    const ahead = await doctor();
    expect(notPassing(ahead.output)).toEqual(['clock:fail']);
    expect(lineOf(ahead.output, 'clock')).toMatch(/ s ahead of the environment's, beyond the 5 s/);
  });

  it('a wrong Upstash token', async () => {
    const { output, exitCode } = await doctor({ UPSTASH_REDIS_REST_TOKEN: 'not-the-token-7a2e' });
    expect(notPassing(output)).toEqual(['upstash:fail']);
    expect(exitCode).toBe(1);
    expect(lineOf(output, 'upstash')).toBe(
      `${targets.upstash.url} refused the token (HTTP 401) → Copy the REST token (UPSTASH_REDIS_REST_TOKEN or KV_REST_API_TOKEN), not the read-only one, from the Upstash console (REST API section of the database).`,
    );
  });

  it('Upstash unreachable', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const { output } = await doctor({ UPSTASH_REDIS_REST_URL: closed });
    expect(notPassing(output)).toEqual(['upstash:fail']);
    expect(lineOf(output, 'upstash')).toMatch(
      new RegExp(
        `^${closed} refused the connection \\(nothing listens there\\) → Copy the REST URL`,
      ),
    );
  });

  it("an http APP_URL on a public host, with the configuration's own message", async () => {
    const changes = { APP_URL: 'http://app.example.com' };
    const { output, exitCode } = await doctor(changes);
    expect(notPassing(output)).toEqual(['config:fail', 'callback:skip', 'cookies:skip']);
    expect(exitCode).toBe(1);
    expect(lineOf(output, 'config')).toBe(`${configMessage(readAppUrl, changes)} → ${CONFIG_FIX}`);
    expect(lineOf(output, 'cookies')).toBe('not checked: needs a valid APP_URL');
  });

  it("a missing variable, with the configuration's own message", async () => {
    const changes = { SESSION_COOKIE_SECRET: undefined };
    const { output } = await doctor(changes);
    expect(notPassing(output)).toEqual(['config:fail']);
    expect(lineOf(output, 'config')).toBe(
      `${configMessage(readEdgeConfig, { ...targets.env, ...changes })} → ${CONFIG_FIX}`,
    );
    expect(lineOf(output, 'config')).toMatch(/^SESSION_COOKIE_SECRET is missing\. Example: /);
  });

  it('a missing client secret: the client check is not run', async () => {
    const changes = { SCALEKIT_CLIENT_SECRET: undefined };
    const { output } = await doctor(changes);
    expect(notPassing(output)).toEqual(['config:fail', 'client:skip']);
    expect(lineOf(output, 'config')).toBe(
      `${configMessage(readServerSecrets, changes)} → ${CONFIG_FIX}`,
    );
    expect(lineOf(output, 'client')).toBe('not checked: needs a valid SCALEKIT_CLIENT_SECRET');
  });

  it("strict revocation without Upstash: the configuration's own message, Upstash not checked", async () => {
    const { output } = await doctor({
      SESSION_REVOCATION: 'strict',
      UPSTASH_REDIS_REST_URL: undefined,
      UPSTASH_REDIS_REST_TOKEN: undefined,
    });
    expect(notPassing(output)).toEqual(['config:fail', 'upstash:skip']);
    expect(lineOf(output, 'config')).toMatch(/^SESSION_REVOCATION strict needs Upstash Redis/);
  });
});

describe('the doctor, on several invalid variables', () => {
  it('reports every one of them, not only the first, and still checks what does not depend on them', async () => {
    const { output } = await doctor({
      SCALEKIT_CLIENT_ID: undefined,
      SESSION_COOKIE_SECRET: 'password',
      SESSION_MAX_AGE_SECONDS: 'a week',
    });
    expect(notPassing(output)).toEqual([
      'config:fail',
      'config:fail',
      'config:fail',
      'client:skip',
      'callback:skip',
    ]);
    expect(
      checkLines(output)
        .filter((line) => line.id === 'config')
        .map((line) => line.text.split(' ')[0]),
    ).toEqual(['SCALEKIT_CLIENT_ID', 'SESSION_COOKIE_SECRET', 'SESSION_MAX_AGE_SECONDS']);
    expect(lineOf(output, 'keys')).toMatch(/serves an RS256 key/);
  });
});

describe('the doctor, given arguments', () => {
  it('prints its usage for --help, and refuses an unknown argument with exit status 2', async () => {
    expect(await doctor({}, ['--help'])).toMatchObject({
      exitCode: 0,
      output: expect.stringMatching(/^Usage: npm run doctor/),
    });
    expect(await doctor({}, ['--jsn'])).toMatchObject({
      exitCode: 2,
      output: expect.stringMatching(/^Unknown argument: --jsn\n/),
    });
  });
});
