import { checkCallback } from './callback-check';
import { checkClient } from './client-check';
import { checkClock } from './clock-check';
import { checkConfig, type Inputs } from './config-check';
import { checkCookies } from './cookies-check';
import { checkIssuer } from './issuer-check';
import { checkKeys } from './keys-check';
import { toReport, type CheckId, type CheckResult, type DoctorReport } from './report';
import { checkUpstash } from './upstash-check';

export interface DiagnoseOptions {
  /** Bound on every request, body included. Default 5000 ms. */
  readonly timeoutMs?: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The variable each input is read from, for "not checked" lines. */
const VARIABLES: Record<keyof Inputs, string> = {
  envUrl: 'SCALEKIT_ENV_URL',
  clientId: 'SCALEKIT_CLIENT_ID',
  clientSecret: 'SCALEKIT_CLIENT_SECRET',
  appUrl: 'APP_URL',
  secureCookies: 'APP_URL',
  upstash: 'the Upstash variables',
  revocation: 'SESSION_REVOCATION',
};

/**
 * Every check, in report order: the variables, then the Scalekit environment (issuer, keys,
 * client, callback URL, clock), Upstash and the cookies. A check whose inputs another check found
 * broken is listed as not checked rather than failed twice; independent checks run concurrently.
 *
 * @example
 * const report = await diagnose(process.env);
 * if (!report.ok) process.exitCode = 1;
 */
export async function diagnose(env: Env, options: DiagnoseOptions = {}): Promise<DoctorReport> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const { results: config, inputs } = checkConfig(env);
  const [scalekit, upstash] = await Promise.all([
    checkEnvironment(inputs, timeoutMs),
    needs('upstash', inputs, ['upstash', 'revocation'], (i) => checkUpstash(i, timeoutMs)),
  ]);
  const cookies = await needs('cookies', inputs, ['appUrl', 'secureCookies'], async (i) =>
    checkCookies(i),
  );
  return toReport([...config, ...scalekit, upstash, cookies]);
}

async function checkEnvironment(inputs: Inputs, timeoutMs: number): Promise<CheckResult[]> {
  const { envUrl } = inputs;
  const later = (reason: string) =>
    (['keys', 'client', 'callback', 'clock'] as const).map((id) => skip(id, reason));
  if (envUrl === undefined) {
    const reason = `needs a valid ${VARIABLES.envUrl}`;
    return [skip('issuer', reason), ...later(reason)];
  }
  const issuer = await checkIssuer(envUrl, timeoutMs);
  if (!issuer.discovery) {
    return [issuer.result, ...later(`no Scalekit environment answered at ${VARIABLES.envUrl}`)];
  }
  const [keys, client, callback] = await Promise.all([
    checkKeys(envUrl, timeoutMs),
    needs('client', inputs, ['envUrl', 'clientId', 'clientSecret'], (i) =>
      checkClient(i, timeoutMs),
    ),
    needs('callback', inputs, ['envUrl', 'clientId', 'appUrl'], (i) => checkCallback(i, timeoutMs)),
  ]);
  return [issuer.result, keys, client, callback, checkClock(issuer.discovery)];
}

/** Runs `check` when every input it needs is valid; otherwise says which variable is not. */
async function needs<K extends keyof Inputs>(
  id: CheckId,
  inputs: Inputs,
  keys: readonly K[],
  check: (inputs: Required<Pick<Inputs, K>>) => Promise<CheckResult>,
): Promise<CheckResult> {
  const missing = [
    ...new Set(keys.filter((key) => inputs[key] === undefined).map((key) => VARIABLES[key])),
  ];
  if (missing.length > 0) return skip(id, `needs a valid ${missing.join(' and ')}`);
  return check(inputs as Required<Pick<Inputs, K>>);
}

function skip(id: CheckId, reason: string): CheckResult {
  return { id, status: 'skip', summary: `not checked: ${reason}` };
}
