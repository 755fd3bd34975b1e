/**
 * What the browser may know of the session: who, which organization, what they may do, and when
 * the access token expires. Never a token: those stay in HttpOnly cookies. The server builds it
 * (`sessionSnapshot()` in lib/server/session.ts); `useSession()` hands it to client components.
 */
export interface SessionSnapshot {
  readonly user: {
    readonly sub: string;
    readonly email: string | undefined;
    readonly name: string | undefined;
  };
  /** The current organization (the access token's `oid`). */
  readonly organizationId: string | undefined;
  /** Roles and permissions in the current organization. */
  readonly roles: readonly string[];
  readonly permissions: readonly string[];
  /** When the access token expires, in ms since the epoch. */
  readonly expiresAt: number;
}

/**
 * - `loading`: not known yet (a static page, before `/api/session` answers);
 * - `signed-in`: the session is valid.
 * - `renewing`: the access token expired while nobody looked (a public page opened later); the
 *   person is shown as signed in while it is renewed in the background.
 * - `signed-out`: no session, or renewal was refused.
 */
export type SessionState =
  | { readonly status: 'signed-in' | 'renewing'; readonly session: SessionSnapshot }
  | { readonly status: 'signed-out' | 'loading'; readonly session: null };

export const SIGNED_OUT: SessionState = { status: 'signed-out', session: null };
export const LOADING: SessionState = { status: 'loading', session: null };

/** True when `value` is a {@link SessionState} the server may send (never `loading`). */
export function isSessionState(value: unknown): value is SessionState {
  const v = value as { status?: unknown; session?: unknown } | null;
  if (typeof v !== 'object' || v === null) return false;
  if (v.status === 'signed-out') return v.session === null;
  return (v.status === 'signed-in' || v.status === 'renewing') && isSessionSnapshot(v.session);
}

/** True when `value` has the shape of a {@link SessionSnapshot} (it arrives over the network). */
export function isSessionSnapshot(value: unknown): value is SessionSnapshot {
  const v = value as Partial<SessionSnapshot> | null;
  const strings = (list: unknown) =>
    Array.isArray(list) && list.every((s) => typeof s === 'string');
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.user?.sub === 'string' &&
    typeof v.expiresAt === 'number' &&
    strings(v.roles) &&
    strings(v.permissions)
  );
}
