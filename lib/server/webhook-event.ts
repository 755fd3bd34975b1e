import 'server-only';
import { AuthError } from '@/lib/edge/errors';
import { scalekit } from './scalekit';

/** What every Scalekit webhook carries (the developer docs' OpenAPI `webhooks:` envelope). */
interface EventBase {
  /** The `webhook-id` header: the same on every retry of one delivery. */
  readonly webhookId: string;
  /** The event's own `id` (`evt_…`). */
  readonly id: string;
  /** When it happened at Scalekit, in ms since the epoch (the delivery time when absent). */
  readonly occurredAt: number;
  readonly organizationId: string | undefined;
}

/** `user` and `organization` of a membership event, with the ids checked. */
export interface MembershipEventData {
  readonly user: { readonly id: string; readonly email?: string };
  readonly organization: { readonly id: string; readonly display_name?: string };
  readonly [field: string]: unknown;
}

/** The events the app reads fields of, with those fields checked (the rest stays as sent). */
export type KnownWebhookEvent = EventBase & { readonly known: true } & (
    | {
        readonly type: 'user.logout';
        readonly data: {
          readonly user: { readonly id: string; readonly email?: string };
          readonly user_session: {
            readonly session_id: string;
            readonly organization_id?: string;
            readonly [field: string]: unknown;
          };
        };
      }
    | {
        readonly type:
          | 'user.signup'
          | 'user.organization_invitation'
          | 'user.organization_membership_created'
          | 'user.organization_membership_updated'
          | 'user.organization_membership_deleted';
        readonly data: MembershipEventData;
      }
    | {
        readonly type: 'organization.created' | 'organization.updated' | 'organization.deleted';
        readonly data: {
          readonly id: string;
          readonly display_name?: string;
          readonly [field: string]: unknown;
        };
      }
    | {
        /** Not in the OpenAPI's list; an older events page documents it with `userId`. */
        readonly type: 'user.deleted';
        readonly data: { readonly id: string; readonly [field: string]: unknown };
      }
  );

/** Any other event (directory sync, roles, connections, …), or a known one in a shape not expected. */
export interface OtherWebhookEvent extends EventBase {
  readonly known: false;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * A verified Scalekit webhook. Narrow on `known` first, then on `type`:
 *
 * @example
 * if (event.known && event.type === 'user.organization_membership_deleted') {
 *   await db.members.remove(event.data.organization.id, event.data.user.id);
 * }
 */
export type WebhookEvent = KnownWebhookEvent | OtherWebhookEvent;

/**
 * Verifies a webhook with the SDK's `verifyWebhookPayload` (Standard Webhooks: `webhook-id`,
 * `webhook-timestamp` within five minutes, `webhook-signature` HMAC-SHA256 with the `whsec_…`
 * secret) and reads its envelope. Throws `webhook_unverified` for a missing or bad signature or
 * timestamp, `invalid_request` for a verified body that is not an event.
 *
 * @example
 * const event = readWebhookEvent(await request.text(), request.headers, secret);
 */
export function readWebhookEvent(body: string, headers: Headers, secret: string): WebhookEvent {
  const webhookId = headers.get('webhook-id') ?? '';
  try {
    const verified = scalekit().verifyWebhookPayload(
      secret,
      {
        'webhook-id': webhookId,
        'webhook-timestamp': headers.get('webhook-timestamp') ?? '',
        'webhook-signature': headers.get('webhook-signature') ?? '',
      },
      body,
    );
    if (verified !== true) throw new Error('not verified');
  } catch {
    // The SDK's message stays out of the answer and the log: it describes the attacker's input.
    throw new AuthError('webhook_unverified', 'webhook signature or timestamp did not verify');
  }
  let envelope: Record<string, unknown>;
  try {
    envelope = JSON.parse(body) as Record<string, unknown>;
  } catch {
    throw new AuthError('invalid_request', 'webhook body is not JSON');
  }
  if (!isObject(envelope) || typeof envelope.type !== 'string' || !isObject(envelope.data)) {
    throw new AuthError('invalid_request', 'webhook body has no "type" and "data"');
  }
  const occurred =
    typeof envelope.occurred_at === 'string' ? Date.parse(envelope.occurred_at) : NaN;
  const base: EventBase = {
    webhookId,
    id: typeof envelope.id === 'string' ? envelope.id : webhookId,
    occurredAt: Number.isFinite(occurred) ? Math.min(occurred, Date.now()) : Date.now(),
    organizationId: text(envelope.organization_id),
  };
  return (
    known(base, envelope.type, envelope.data) ?? {
      ...base,
      known: false,
      type: envelope.type,
      data: envelope.data,
    }
  );
}

/** The event typed, when its type is one the app reads and the fields it reads are there. */
function known(
  base: EventBase,
  type: string,
  data: Record<string, unknown>,
): KnownWebhookEvent | null {
  const withId = (value: unknown) =>
    isObject(value) && typeof value.id === 'string' && value.id !== '';
  switch (type) {
    case 'user.logout': {
      const session = data.user_session;
      if (!isObject(session) || typeof session.session_id !== 'string' || !session.session_id) {
        return null;
      }
      return withId(data.user) ? ({ ...base, known: true, type, data } as KnownWebhookEvent) : null;
    }
    case 'user.signup':
    case 'user.organization_invitation':
    case 'user.organization_membership_created':
    case 'user.organization_membership_updated':
    case 'user.organization_membership_deleted':
      return withId(data.user) && withId(data.organization)
        ? ({ ...base, known: true, type, data } as KnownWebhookEvent)
        : null;
    case 'organization.created':
    case 'organization.updated':
    case 'organization.deleted':
      return withId(data) ? ({ ...base, known: true, type, data } as KnownWebhookEvent) : null;
    case 'user.deleted': {
      // Accept either spelling: `id` (the OpenAPI's user objects) or `userId` (the events page).
      const id =
        text(data.id) ??
        text(data.userId) ??
        (isObject(data.user) ? text(data.user.id) : undefined);
      return id ? { ...base, known: true, type, data: { ...data, id } } : null;
    }
    default:
      return null;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
