import 'server-only';
import type { EdgeConfig } from '@/lib/edge/config';
import { revocationHorizon, revokeSession } from '../revocation';
import { scalekit } from '../scalekit';
import type { Store } from '../store/store';
import { managementCall, type ManagementResult } from './call';

export interface UserSession {
  readonly sessionId: string;
  /** The browser or device as Scalekit reports it: its parsed name, else the user agent. */
  readonly device: string;
  /** The location Scalekit reports, else the IP address. */
  readonly location: string;
  /** ISO 8601, when Scalekit last saw the session (a sign-in or a refresh). */
  readonly lastActiveAt: string | null;
}

type Revocation = { store: Store; config: Pick<EdgeConfig, 'sessionMaxAgeSeconds'> };

/**
 * The person's active sessions, newest first (`session.getUserSessions`).
 *
 * @example
 * const sessions = await activeSessionsOf(claims.sub);
 */
export async function activeSessionsOf(userId: string): Promise<ManagementResult<UserSession[]>> {
  const result = await managementCall('session.getUserSessions', () =>
    scalekit().session.getUserSessions(userId, { pageSize: 50, filter: { status: ['ACTIVE'] } }),
  );
  if (!result.ok) return result;
  const sessions = result.value.sessions.map((session) => {
    const device = session.device;
    const browser = [device?.browser, device?.browserVersion].filter(Boolean).join(' ');
    const os = [device?.os, device?.osVersion].filter(Boolean).join(' ');
    const place = [device?.location?.city, device?.location?.region].filter(Boolean).join(', ');
    const seen = session.lastActiveAt ?? session.updatedAt ?? session.createdAt;
    return {
      sessionId: session.sessionId,
      device: [browser, os].filter(Boolean).join(' on ') || device?.userAgent || 'Unknown device',
      location: place || device?.ip || 'Unknown',
      lastActiveAt: seen ? new Date(Number(seen.seconds) * 1000).toISOString() : null,
    };
  });
  return { ok: true, value: sessions };
}

/**
 * Ends one session at Scalekit (`revokeSession`) and here (the revocation list): its refresh is
 * refused at once, and with strict revocation its next request too.
 */
export async function endSession(
  sessionId: string,
  revocation: Revocation,
): Promise<ManagementResult<void>> {
  const result = await managementCall('session.revokeSession', () =>
    scalekit().session.revokeSession(sessionId),
  );
  if (!result.ok) return result;
  await revokeSession(revocation.store, sessionId, revocationHorizon(revocation.config));
  return { ok: true, value: undefined };
}

/**
 * Ends every active session of the person but `keep` (this browser's, for "sign out everywhere
 * else"); with no `keep`, all of them (`revokeAllUserSessions`). Answers how many ended.
 */
export async function endSessionsOf(
  userId: string,
  revocation: Revocation,
  keep?: string,
): Promise<ManagementResult<number>> {
  if (keep === undefined) {
    const result = await managementCall('session.revokeAllUserSessions', () =>
      scalekit().session.revokeAllUserSessions(userId),
    );
    if (!result.ok) return result;
    const ended = result.value.revokedSessions.map((session) => session.sessionId);
    const until = revocationHorizon(revocation.config);
    await Promise.all(ended.map((sid) => revokeSession(revocation.store, sid, until)));
    return { ok: true, value: ended.length };
  }
  const sessions = await activeSessionsOf(userId);
  if (!sessions.ok) return sessions;
  let ended = 0;
  for (const { sessionId } of sessions.value) {
    if (sessionId === keep) continue;
    const result = await endSession(sessionId, revocation);
    if (!result.ok) return result;
    ended += 1;
  }
  return { ok: true, value: ended };
}
