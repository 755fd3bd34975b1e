import { setTimeout as sleep } from 'node:timers/promises';
import { INTERACTION_PATH, ROUTES } from './provider';

export const ENDPOINTS = [
  'authorize',
  'token',
  'keys',
  'logout',
  'discovery',
  'interaction',
  'other',
  // Every gRPC call of the management API (HTTP/2).
  'management',
] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

export const FAULT_MODES = ['error', 'hang', 'slow'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

/** What a fault writes to: an HTTP/1.1 or an HTTP/2 response. */
interface FaultResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body: string): unknown;
}

type Fault = { mode: 'error' | 'hang' } | { mode: 'slow'; delayMs: number };

/**
 * Which endpoint a request is for. The browser's follow-up steps (login page, resume, logout
 * confirmation) count as `interaction`, so `authorize` and `logout` count what the app started.
 */
export function endpointOf(pathname: string): Endpoint {
  switch (pathname) {
    case ROUTES.authorization:
      return 'authorize';
    case ROUTES.token:
      return 'token';
    case ROUTES.jwks:
      return 'keys';
    case ROUTES.end_session:
      return 'logout';
    case '/.well-known/openid-configuration':
      return 'discovery';
  }
  const followUps = [`${INTERACTION_PATH}/`, `${ROUTES.authorization}/`, `${ROUTES.end_session}/`];
  return followUps.some((prefix) => pathname.startsWith(prefix)) ? 'interaction' : 'other';
}

/** Request counters and injected faults, applied before oidc-provider sees a request. */
export class Traffic {
  #counts = zeroCounts();
  readonly #faults = new Map<Endpoint, Fault>();
  readonly #waiting = new Set<() => void>();
  readonly #closing = new AbortController();

  count(endpoint: Endpoint): void {
    this.#counts[endpoint] += 1;
  }

  counts(): Record<Endpoint, number> {
    return { ...this.#counts };
  }

  resetCounts(): void {
    this.#counts = zeroCounts();
  }

  setFault(endpoint: Endpoint, mode: FaultMode | null, delayMs?: number): void {
    if (mode === 'slow' && !(typeof delayMs === 'number' && delayMs >= 0)) {
      throw new TypeError('a slow fault needs delayMs >= 0');
    }
    if (mode === null) this.#faults.delete(endpoint);
    else this.#faults.set(endpoint, mode === 'slow' ? { mode, delayMs: delayMs ?? 0 } : { mode });
    this.#wakeHungRequests();
  }

  /**
   * Applies the endpoint's fault. Resolves true when the request should go on normally, false when
   * the fault answered it or the server is closing (its socket is about to be destroyed).
   */
  async pass(endpoint: Endpoint, res: FaultResponse): Promise<boolean> {
    for (;;) {
      if (this.#closing.signal.aborted) return false;
      const fault = this.#faults.get(endpoint);
      switch (fault?.mode) {
        case undefined:
          return true;
        case 'error':
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'server_error' }));
          return false;
        case 'slow':
          try {
            await sleep(fault.delayMs, undefined, { signal: this.#closing.signal });
            return true;
          } catch {
            return false;
          }
        case 'hang':
          // Re-evaluated whenever faults change: clearing the fault lets the request through.
          await new Promise<void>((resolve) => this.#waiting.add(resolve));
      }
    }
  }

  /** Releases hung and slowed requests so the server can close promptly. */
  close(): void {
    this.#closing.abort();
    this.#wakeHungRequests();
  }

  #wakeHungRequests(): void {
    for (const wake of this.#waiting) wake();
    this.#waiting.clear();
  }
}

function zeroCounts(): Record<Endpoint, number> {
  return Object.fromEntries(ENDPOINTS.map((endpoint) => [endpoint, 0])) as Record<Endpoint, number>;
}
