import 'server-only';

/**
 * What a failed management call means for the person using the page, never Scalekit's own text:
 * `not_found` (the member, user or session is gone), `invalid_input` (Scalekit refused the values,
 * e.g. a role that does not exist or an invitation already accepted), `already_exists` (already a
 * member), `rate_limited` (429 / ResourceExhausted), `unavailable` (timeout, network, 5xx), and
 * `failed` (anything else, including our own credentials being refused).
 */
export type ManagementErrorCode =
  'not_found' | 'invalid_input' | 'already_exists' | 'rate_limited' | 'unavailable' | 'failed';

export type ManagementResult<T> = { ok: true; value: T } | { ok: false; code: ManagementErrorCode };

/** The plain sentence a page shows for each code. */
export const MANAGEMENT_MESSAGES: Readonly<Record<ManagementErrorCode, string>> = {
  not_found: 'That person, membership or session no longer exists.',
  invalid_input: 'Scalekit did not accept that change.',
  already_exists: 'That person is already a member of this organization.',
  rate_limited: 'Too many requests to Scalekit just now. Try again in a minute.',
  unavailable: 'Scalekit did not answer in time. Try again.',
  failed: 'The change could not be made.',
};

/**
 * Every management call gets at most this long, retries of the SDK included (it fetches a new
 * client-credentials token on Unauthenticated and backs off on Unavailable). Management calls run
 * only on the pages that show their results, never on sign-in or on protected requests.
 */
export const MANAGEMENT_TIMEOUT_MS = 5_000;

// gRPC status codes (the SDK's ScalekitServerException.grpcStatus).
const GRPC: Readonly<Record<number, ManagementErrorCode>> = {
  3: 'invalid_input', // InvalidArgument
  4: 'unavailable', // DeadlineExceeded
  5: 'not_found', // NotFound
  6: 'already_exists', // AlreadyExists
  8: 'rate_limited', // ResourceExhausted
  9: 'invalid_input', // FailedPrecondition
  14: 'unavailable', // Unavailable (also what Connect makes of an HTTP 429 or 503)
};

/**
 * The code for an error the SDK threw. Read from `grpcStatus`/`httpStatus`, the SDK's own fields,
 * not from class names or messages.
 */
export function managementErrorCode(error: unknown): ManagementErrorCode {
  const { grpcStatus, httpStatus } = (error ?? {}) as {
    grpcStatus?: unknown;
    httpStatus?: unknown;
  };
  if (httpStatus === 429) return 'rate_limited';
  if (typeof grpcStatus === 'number' && grpcStatus in GRPC) return GRPC[grpcStatus]!;
  if (typeof httpStatus === 'number' && httpStatus >= 500) return 'unavailable';
  return 'failed';
}

/**
 * Runs one management call with a deadline and turns its failure into a code. Failures that are
 * not about the input (`unavailable`, `rate_limited`, `failed`) are logged as one line with the
 * operation and the code only.
 *
 * @example
 * const result = await managementCall('listOrganizationUsers', () =>
 *   scalekit().user.listOrganizationUsers(oid, { pageSize: 100 }),
 * );
 * if (!result.ok) return { error: MANAGEMENT_MESSAGES[result.code] };
 */
export async function managementCall<T>(
  operation: string,
  call: () => Promise<T>,
  timeoutMs = MANAGEMENT_TIMEOUT_MS,
): Promise<ManagementResult<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<ManagementResult<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, code: 'unavailable' }), timeoutMs);
  });
  const attempt = call().then(
    (value): ManagementResult<T> => ({ ok: true, value }),
    (error: unknown): ManagementResult<T> => ({ ok: false, code: managementErrorCode(error) }),
  );
  const result = await Promise.race([attempt, deadline]).finally(() => clearTimeout(timer));
  if (!result.ok && ['unavailable', 'rate_limited', 'failed'].includes(result.code)) {
    console.warn(
      JSON.stringify({ event: 'management_failure', level: 'warn', operation, code: result.code }),
    );
  }
  return result;
}
