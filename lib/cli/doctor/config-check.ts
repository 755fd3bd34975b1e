import { readEdgeConfig, type EdgeConfig } from '../../edge/config';
import { isAuthError } from '../../edge/errors';
import { readServerSecrets, type ServerConfig } from '../../server/env';
import type { CheckResult } from './report';

type Env = Readonly<Record<string, string | undefined>>;

/** What the other checks need; a field is absent when its variable is invalid. */
export interface Inputs {
  readonly envUrl?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly appUrl?: string;
  readonly secureCookies?: boolean;
  /** null: not configured. */
  readonly upstash?: EdgeConfig['upstash'];
  readonly revocation?: EdgeConfig['revocation'];
}

/** Variables the app reads together, and what the doctor takes from them once they are valid. */
interface Group<Config> {
  readonly variables: readonly string[];
  readonly take: (config: Config) => Partial<Inputs>;
}

const nothing = () => ({});

const EDGE_GROUPS: readonly Group<EdgeConfig>[] = [
  { variables: ['SCALEKIT_ENV_URL'], take: (c) => ({ envUrl: c.envUrl }) },
  { variables: ['SCALEKIT_CLIENT_ID'], take: (c) => ({ clientId: c.clientId }) },
  {
    variables: [
      'APP_URL',
      'VERCEL_ENV',
      'VERCEL_URL',
      'VERCEL_BRANCH_URL',
      'VERCEL_PROJECT_PRODUCTION_URL',
    ],
    take: (c) => ({ appUrl: c.appUrl, secureCookies: c.secureCookies }),
  },
  { variables: ['SESSION_COOKIE_SECRET'], take: nothing },
  {
    // Strict revocation is only valid with Upstash, so they are read together.
    variables: [
      'UPSTASH_REDIS_REST_URL',
      'UPSTASH_REDIS_REST_TOKEN',
      'KV_REST_API_URL',
      'KV_REST_API_TOKEN',
      'SESSION_REVOCATION',
    ],
    take: (c) => ({ upstash: c.upstash, revocation: c.revocation }),
  },
  { variables: ['SESSION_REVOCATION_ON_STORE_ERROR'], take: nothing },
  { variables: ['SESSION_MAX_AGE_SECONDS'], take: nothing },
  { variables: ['SESSION_CACHE_MAX_ENTRIES'], take: nothing },
  { variables: ['SESSION_CACHE_MAX_BYTES'], take: nothing },
  { variables: ['SESSION_CACHE_MAX_AGE_SECONDS'], take: nothing },
];

type ServerSecrets = Pick<ServerConfig, 'clientSecret' | 'scalekitTimeoutMs'>;

const SERVER_GROUPS: readonly Group<ServerSecrets>[] = [
  { variables: ['SCALEKIT_CLIENT_SECRET'], take: (s) => ({ clientSecret: s.clientSecret }) },
  { variables: ['SCALEKIT_TIMEOUT_MS'], take: nothing },
];

const FIX =
  "Set it in .env.local for npm run dev, or in the Vercel project's environment variables.";

/**
 * Validates every variable through the app's own readers (`readEdgeConfig`, `readServerSecrets`),
 * so each problem is reported with the app's message, which names the variable and shows an
 * example. The readers stop at the first problem; to report all of them, each group of variables
 * is read on its own, every other variable set to a valid example. A last read of the whole
 * environment catches whatever the groups do not cover (a variable added to the readers later).
 *
 * @example
 * const { results, inputs } = checkConfig(process.env);
 * inputs.envUrl; // "https://acme.scalekit.com", or undefined when SCALEKIT_ENV_URL is invalid
 */
export function checkConfig(env: Env): { results: CheckResult[]; inputs: Inputs } {
  const problems: string[] = [];
  let inputs: Inputs = {};
  const examples = {
    SCALEKIT_ENV_URL: 'https://acme.scalekit.com',
    SCALEKIT_CLIENT_ID: 'skc_example',
    APP_URL: 'https://app.example.com',
    SESSION_COOKIE_SECRET: randomSecret(),
    SCALEKIT_CLIENT_SECRET: 'example',
  };
  const readGroups = <Config>(read: (env: Env) => Config, groups: readonly Group<Config>[]) => {
    for (const group of groups) {
      const isolated: Record<string, string | undefined> = { ...examples };
      for (const variable of group.variables) isolated[variable] = env[variable];
      const outcome = attempt(() => group.take(read(isolated)));
      if ('problem' in outcome) problems.push(outcome.problem);
      else inputs = { ...inputs, ...outcome.value };
    }
  };
  readGroups(readEdgeConfig, EDGE_GROUPS);
  readGroups(readServerSecrets, SERVER_GROUPS);
  if (problems.length === 0) {
    for (const read of [readEdgeConfig, readServerSecrets]) {
      const outcome = attempt(() => read(env));
      if ('problem' in outcome) problems.push(outcome.problem);
    }
  }
  const results: CheckResult[] =
    problems.length === 0
      ? [pass()]
      : problems.map((problem) => ({
          id: 'config',
          status: 'fail',
          summary: problem,
          fix: FIX,
        }));
  return { results, inputs };
}

function pass(): CheckResult {
  return {
    id: 'config',
    status: 'pass',
    summary: 'every variable the app reads is valid',
  };
}

function attempt<T>(read: () => T): { value: T } | { problem: string } {
  try {
    return { value: read() };
  } catch (err) {
    if (isAuthError(err, 'config_invalid')) return { problem: err.message };
    throw err;
  }
}

/** A valid stand-in for SESSION_COOKIE_SECRET while other variables are read; never printed. */
function randomSecret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
}
