/** A response read to the end within the time allowed. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** `Date.now()` when the request was sent and when the body had arrived. */
  readonly sentAt: number;
  readonly receivedAt: number;
}

type Outcome = { readonly answer: Answer } | { readonly unreachable: string };

/**
 * One request, never followed through a redirect, aborted after `timeoutMs` (body included), so a
 * wrong region or a black-holed port cannot hang the doctor. A network failure comes back as a
 * short description ("refused the connection"), never as the error's own text.
 *
 * @example
 * const outcome = await ask(new URL('/keys', envUrl), {}, 5000);
 * if ('unreachable' in outcome) console.log(`${envUrl} ${outcome.unreachable}`);
 */
export async function ask(url: URL, init: RequestInit, timeoutMs: number): Promise<Outcome> {
  const sentAt = Date.now();
  try {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    return {
      answer: {
        status: response.status,
        headers: response.headers,
        text,
        sentAt,
        receivedAt: Date.now(),
      },
    };
  } catch (err) {
    return { unreachable: describeFailure(err, timeoutMs) };
  }
}

/** The body as JSON, or undefined when it is not JSON. */
export function parseJson(answer: Answer): unknown {
  try {
    return JSON.parse(answer.text) as unknown;
  } catch {
    return undefined;
  }
}

/** The `error` code of an OAuth error body, when it is one (a bare code, never the description). */
export function oauthError(answer: Answer): string | undefined {
  return plainCode((parseJson(answer) as { error?: unknown } | undefined)?.error);
}

/**
 * `value` when it reads as an OAuth error code (`invalid_client`), else undefined: it comes from
 * the provider and is printed to a terminal, so nothing else of it is shown.
 */
export function plainCode(value: unknown): string | undefined {
  return typeof value === 'string' && /^[a-z_]{1,64}$/.test(value) ? value : undefined;
}

function describeFailure(err: unknown, timeoutMs: number): string {
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError') return `did not answer within ${seconds(timeoutMs)}`;
  const code = (err as { cause?: { code?: unknown } } | null)?.cause?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused the connection (nothing listens there)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'has a host name that does not resolve';
    case 'ECONNRESET':
      return 'closed the connection';
  }
  if (typeof code === 'string' && /CERT|SSL|TLS/.test(code)) {
    return `refused the TLS handshake (${code})`;
  }
  return typeof code === 'string' ? `could not be reached (${code})` : 'could not be reached';
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
