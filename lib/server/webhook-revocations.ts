import 'server-only';
import type { EdgeConfig } from '@/lib/edge/config';
import {
  revocationHorizon,
  revokeMembership,
  revokeOrganization,
  revokeSession,
  revokeSubject,
} from './revocation';
import type { Store } from './store/store';
import type { WebhookEvent } from './webhook-event';

/**
 * Puts on the revocation list what a webhook says has lost access, with the same guarantees as
 * `/logout` (refresh refused at once; with strict revocation, every request): `user.logout` its
 * session; a removed membership the user's sessions in that organization; a deleted organization
 * everyone's sessions in it; a deleted user all their sessions. Sessions are ended as of when the
 * event happened at Scalekit, so a retry delivered later spares a sign-in made in between. Role
 * changes need nothing: the next refresh carries the new roles. Idempotent.
 *
 * @example
 * await revokeForWebhook(event, getStore(), serverConfig());
 */
export async function revokeForWebhook(
  event: WebhookEvent,
  store: Store,
  config: Pick<EdgeConfig, 'sessionMaxAgeSeconds'>,
): Promise<void> {
  if (!event.known) return;
  const until = revocationHorizon(config);
  const since = Math.floor(event.occurredAt / 1000);
  switch (event.type) {
    case 'user.logout':
      return revokeSession(store, event.data.user_session.session_id, until);
    case 'user.organization_membership_deleted': {
      const { user, organization } = event.data;
      return revokeMembership(store, { sub: user.id, oid: organization.id }, until, since);
    }
    case 'organization.deleted':
      return revokeOrganization(store, event.data.id, until, since);
    case 'user.deleted':
      return revokeSubject(store, event.data.id, until, since);
  }
}
