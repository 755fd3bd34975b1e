import 'server-only';
import { AsyncLocalStorage } from 'node:async_hooks';
import { ScalekitClient } from '@scalekit-sdk/node';
import { serverConfig } from './env';

/**
 * How a call to Scalekit failed, as seen on the wire: no answer at all (network error, timeout),
 * an HTTP error status, or a 2xx answer the SDK refused (e.g. no refresh token in it).
 */
export type TokenEndpointFailure =
  { kind: 'network' } | { kind: 'status'; status: number } | { kind: 'response' };

/** The part of the SDK's (internal) axios instance used here. */
interface AxiosLike {
  interceptors: {
    response: {
      use(
        onFulfilled: undefined,
        onRejected: (error: { response?: { status?: number } }) => unknown,
      ): number;
    };
  };
}

const failures = new AsyncLocalStorage<{ failure?: TokenEndpointFailure }>();
let client: ScalekitClient | undefined;

/** The process's Scalekit client, created on first use. */
export function scalekit(): ScalekitClient {
  if (!client) {
    const config = serverConfig();
    client = new ScalekitClient(config.envUrl, config.clientId, config.clientSecret, {
      timeoutMs: config.scalekitTimeoutMs,
    });
    // `refreshAccessToken` rethrows every failure as a plain Error with the status only in its
    // message. Telling a transient fault (keep the session) from a rejected token (end it) must
    // not depend on message text, so the SDK's own axios instance (an internal of the exactly
    // pinned 2.11.0) reports the status to the caller's async context.
    const axios = (client as unknown as { coreClient: { axios: AxiosLike } }).coreClient.axios;
    axios.interceptors.response.use(undefined, (error) => {
      const context = failures.getStore();
      const status = error.response?.status;
      if (context) context.failure = status ? { kind: 'status', status } : { kind: 'network' };
      return Promise.reject(error);
    });
  }
  return client;
}

/**
 * Runs a call to Scalekit and, if it throws, returns what the token endpoint answered.
 *
 * @example
 * const result = await observeTokenEndpoint(() => scalekit().refreshAccessToken(token));
 * if (!result.ok && isTransient(result.failure)) { … }
 */
export async function observeTokenEndpoint<T>(
  call: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; failure: TokenEndpointFailure; error: unknown }> {
  const context: { failure?: TokenEndpointFailure } = {};
  try {
    return { ok: true, value: await failures.run(context, call) };
  } catch (error) {
    return { ok: false, failure: context.failure ?? { kind: 'response' }, error };
  }
}

/** Network errors, timeouts, 408, 429 and 5xx: the session must survive these. */
export function isTransient(failure: TokenEndpointFailure): boolean {
  if (failure.kind !== 'status') return failure.kind === 'network';
  return failure.status === 408 || failure.status === 429 || failure.status >= 500;
}
