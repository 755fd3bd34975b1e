import { ask, parseJson, type Answer } from './http';
import type { CheckResult } from './report';

export interface IssuerCheck {
  readonly result: CheckResult;
  /** The discovery response, when it was an OpenID configuration: the clock is read from it. */
  readonly discovery?: Answer;
}

const WHERE = 'Dashboard > Developers > API Credentials';

/**
 * Fetches `<SCALEKIT_ENV_URL>/.well-known/openid-configuration` and compares its `issuer` with
 * `SCALEKIT_ENV_URL` exactly, as every token's `iss` is compared.
 *
 * @example
 * const { result, discovery } = await checkIssuer('https://acme.scalekit.com', 5000);
 */
export async function checkIssuer(envUrl: string, timeoutMs: number): Promise<IssuerCheck> {
  const outcome = await ask(new URL(`${envUrl}/.well-known/openid-configuration`), {}, timeoutMs);
  if ('unreachable' in outcome) {
    return {
      result: fail(
        `${envUrl} ${outcome.unreachable}`,
        `Copy SCALEKIT_ENV_URL from ${WHERE} (domain and region), and check that this machine can reach it.`,
      ),
    };
  }
  const { answer } = outcome;
  const issuer = (parseJson(answer) as { issuer?: unknown } | undefined)?.issuer;
  if (answer.status !== 200 || typeof issuer !== 'string') {
    return {
      result: fail(
        `${envUrl}/.well-known/openid-configuration answered HTTP ${answer.status}, not an OpenID configuration`,
        `Set SCALEKIT_ENV_URL to the environment URL itself, with no path, from ${WHERE}.`,
      ),
    };
  }
  if (issuer !== envUrl) {
    return { result: mismatch(envUrl, issuer), discovery: answer };
  }
  return {
    result: {
      id: 'issuer',
      status: 'pass',
      summary: `${envUrl} answers, and its issuer is SCALEKIT_ENV_URL exactly`,
    },
    discovery: answer,
  };
}

function mismatch(envUrl: string, issuer: string): CheckResult {
  const summary = `the environment's issuer is ${quote(issuer)}, not SCALEKIT_ENV_URL ${quote(envUrl)} (${difference(envUrl, issuer)}): every token's iss would be refused`;
  // SCALEKIT_ENV_URL loses a trailing slash when read, so it can never equal such an issuer; and
  // only an issuer that is a clean URL as it stands is worth printing as a value to copy.
  const settable =
    URL.canParse(issuer) &&
    !issuer.endsWith('/') &&
    [issuer, `${issuer}/`].includes(new URL(issuer).href);
  return fail(
    summary,
    settable
      ? `Set SCALEKIT_ENV_URL=${issuer} (the environment URL in ${WHERE}).`
      : `Point SCALEKIT_ENV_URL at the Scalekit environment itself, from ${WHERE}, not at a proxy that rewrites its issuer.`,
  );
}

function difference(envUrl: string, issuer: string): string {
  if (issuer === `${envUrl}/`) return 'a trailing slash';
  if (!URL.canParse(issuer)) return 'not a URL';
  const ours = new URL(envUrl);
  const theirs = new URL(issuer);
  if (ours.protocol !== theirs.protocol) return 'another scheme';
  if (ours.host !== theirs.host) return 'another host: another region, domain or environment';
  return 'another path';
}

/** The provider's text, escaped and bounded: it is printed to a terminal. */
function quote(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

function fail(summary: string, fix: string): CheckResult {
  return { id: 'issuer', status: 'fail', summary, fix };
}
