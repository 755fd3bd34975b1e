import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { CHECK_TITLES, type CheckId } from '@/lib/cli/doctor/report';
import { startIssuer, type RunningIssuer } from '../tools/scalekit-stand-in';
import { startUpstash, type LocalUpstash } from '../tools/upstash-endpoint/start-upstash';

/** The app's origins the stand-in accepts callbacks for: one public, one on loopback. */
export const APP_URL = 'https://app.example.com';
export const LOOPBACK_APP_URL = 'http://localhost:3999';

/** A Scalekit stand-in and an Upstash endpoint, and the environment that is right for both. */
export interface DoctorTargets {
  readonly issuer: RunningIssuer;
  readonly upstash: LocalUpstash;
  /** Configured right: every check passes. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export async function startDoctorTargets(): Promise<DoctorTargets> {
  const issuer = await startIssuer({
    redirectUris: [`${APP_URL}/api/callback`, `${LOOPBACK_APP_URL}/api/callback`],
  });
  const upstash = await startUpstash();
  return {
    issuer,
    upstash,
    env: {
      SCALEKIT_ENV_URL: issuer.url,
      SCALEKIT_CLIENT_ID: issuer.clientId,
      SCALEKIT_CLIENT_SECRET: issuer.clientSecret,
      APP_URL,
      SESSION_COOKIE_SECRET: randomBytes(32).toString('base64'),
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
    },
    async close() {
      await Promise.all([issuer.close(), upstash.close()]);
    },
  };
}

const SYMBOL_STATUS = { '✓': 'pass', '!': 'warn', '✗': 'fail', '-': 'skip' } as const;
type Status = (typeof SYMBOL_STATUS)[keyof typeof SYMBOL_STATUS];

export interface CheckLine {
  readonly id: CheckId;
  readonly status: Status;
  /** Everything after "<symbol> <title>: ". */
  readonly text: string;
}

/** The check lines of the doctor's text output, in order; throws on a line it cannot read. */
export function checkLines(output: string): CheckLine[] {
  const ids = new Map<string, CheckId>(
    Object.entries(CHECK_TITLES).map(([id, title]) => [title, id as CheckId]),
  );
  const body = output.slice(0, output.lastIndexOf('\n\ndoctor: '));
  return body.split('\n').map((line) => {
    const match = /^([✓!✗-]) ([^:]+): (.+)$/.exec(line);
    const id = match && ids.get(match[2]!);
    if (!match || !id) throw new Error(`not a check line: ${line}`);
    return { id, status: SYMBOL_STATUS[match[1] as keyof typeof SYMBOL_STATUS], text: match[3]! };
  });
}

/**
 * Every check that did not pass, as `id:status` in report order: a misconfiguration must show up
 * here as exactly the checks it breaks (and those it keeps from running), nothing else.
 */
export function notPassing(output: string): string[] {
  return checkLines(output)
    .filter((line) => line.status !== 'pass')
    .map((line) => `${line.id}:${line.status}`);
}

/** The one line of check `id`. */
export function lineOf(output: string, id: CheckId): string {
  const lines = checkLines(output).filter((line) => line.id === id);
  expect(lines).toHaveLength(1);
  return lines[0]!.text;
}

/**
 * Asserts that none of the secrets in `env` (client secret, every session secret, Upstash
 * tokens), nor anything shaped like a JWT (an access token), appears in `output`.
 */
export function expectNoSecrets(
  output: string,
  ...envs: Readonly<Record<string, string | undefined>>[]
) {
  const secrets = envs.flatMap((env) => [
    env.SCALEKIT_CLIENT_SECRET,
    ...(env.SESSION_COOKIE_SECRET?.split(',') ?? []),
    env.UPSTASH_REDIS_REST_TOKEN,
    env.KV_REST_API_TOKEN,
  ]);
  for (const secret of secrets) {
    if (secret?.trim()) expect(output).not.toContain(secret.trim());
  }
  expect(output).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
}
