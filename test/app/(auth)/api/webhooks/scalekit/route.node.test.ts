import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuthHooks } from '@/lib/server/auth-hooks';
import type { WebhookEvent } from '@/lib/server/webhook-event';
import { call, DOCUMENT, SAME_ORIGIN, signIn } from '../../../../../support/app';
import { loadAppInstance, type AppInstance } from '../../../../../support/app-instance';
import { captureAuthLog } from '../../../../../support/auth-log';
import { sessionTokens } from '../../../../../support/session-jar';
import { passes, strictVerdict } from '../../../../../support/strict-verdict';
import {
  startUpstash,
  type LocalUpstash,
} from '../../../../../tools/upstash-endpoint/start-upstash';
import { sign } from '../../../../../tools/scalekit-stand-in/webhooks';

const SECRET = process.env.SCALEKIT_WEBHOOK_SECRET!;
const now = () => Math.floor(Date.now() / 1000);

interface Delivery {
  type?: string;
  data?: Record<string, unknown>;
  organizationId?: string;
  occurredAt?: string;
  /** Replaces the body after signing (a tampered body). */
  body?: string;
  webhookId?: string;
  timestamp?: number;
  secret?: string;
  headers?: Record<string, string | undefined>;
}

/** A webhook as Scalekit delivers one (the stand-in's signer), with one property changeable. */
function delivery(options: Delivery = {}) {
  const webhookId = options.webhookId ?? `evt_${randomUUID()}`;
  const timestamp = String(options.timestamp ?? now());
  const body = JSON.stringify({
    spec_version: '1',
    id: webhookId,
    type: options.type ?? 'organization.updated',
    object: 'Organization',
    occurred_at: options.occurredAt ?? new Date().toISOString(),
    environment_id: 'env_test',
    organization_id: options.organizationId ?? 'org_acme0001',
    data: options.data ?? { id: 'org_acme0001', display_name: 'Acme' },
  });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const given = {
    'webhook-id': webhookId,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${sign(options.secret ?? SECRET, webhookId, timestamp, body)}`,
    ...options.headers,
  };
  for (const [name, value] of Object.entries(given)) if (value !== undefined) headers[name] = value;
  return { body: options.body ?? body, headers, method: 'POST' };
}

const userLogout = (sid: string, sub: string) => ({
  type: 'user.logout',
  data: {
    user: { id: sub, email: 'admin@acme.test' },
    user_session: { session_id: sid, user_id: sub, organization_id: 'org_acme0001' },
  },
});
const membershipDeleted = (sub: string, oid: string) => ({
  type: 'user.organization_membership_deleted',
  organizationId: oid,
  data: { organization: { id: oid, display_name: 'Acme' }, user: { id: sub } },
});

/** An app instance whose `onWebhook` is `hook` (the template's seam, as a team would fill it). */
async function appWithHook(hook: AuthHooks['onWebhook'], env: Record<string, string> = {}) {
  vi.doMock('@/lib/server/auth-hooks', () => ({ authHooks: { onWebhook: hook } }));
  try {
    return await loadAppInstance(env);
  } finally {
    vi.doUnmock('@/lib/server/auth-hooks');
  }
}

/** Whose session the jar holds: its access token's `sid`, `sub` and `oid`. */
async function sessionOf(jar: Awaited<ReturnType<typeof signIn>>['jar']) {
  return decodeJwt((await sessionTokens(jar)).accessToken) as {
    sid: string;
    sub: string;
    oid: string;
  };
}

/** The session's refresh, as the session keeper asks for it: 200 renewed, 401 ended. */
async function refreshStatus(app: AppInstance, jar: Awaited<ReturnType<typeof signIn>>['jar']) {
  const { result } = await captureAuthLog(() =>
    call(app.refreshPost, '/api/refresh', {
      jar: jar.clone(),
      method: 'POST',
      headers: SAME_ORIGIN,
    }),
  );
  return result.status;
}

describe('POST /api/webhooks/scalekit: webhook signature', () => {
  let app: AppInstance;
  beforeAll(async () => {
    app = await loadAppInstance({});
  });

  it('accepts a delivery the SDK verifies, answering 200', async () => {
    expect((await call(app.webhook, '/api/webhooks/scalekit', delivery())).status).toBe(200);
  });

  it.each<[string, Delivery]>([
    ['no webhook-signature header', { headers: { 'webhook-signature': undefined } }],
    ['no webhook-id header', { headers: { 'webhook-id': undefined } }],
    ['no webhook-timestamp header', { headers: { 'webhook-timestamp': undefined } }],
    ['a signature made with another secret', { secret: 'whsec_b3RoZXItc2VjcmV0LTAxMjM0NTY3ODk=' }],
    ['a body changed after signing', { body: '{"type":"user.logout","data":{}}' }],
    ['a webhook-id changed after signing', { headers: { 'webhook-id': 'evt_other' } }],
    ['a timestamp six minutes old', { timestamp: now() - 360 }],
    ['a timestamp six minutes ahead', { timestamp: now() + 360 }],
    ['a signature of another version', { headers: { 'webhook-signature': 'v2,abc=' } }],
  ])('refuses %s with 401 webhook_unverified, changing nothing', async (_, options) => {
    const { jar } = await signIn(app);
    const { sid, sub } = await sessionOf(jar);
    const { result, lines } = await captureAuthLog(() =>
      call(
        app.webhook,
        '/api/webhooks/scalekit',
        delivery({ ...userLogout(sid, sub), ...options }),
      ),
    );
    expect(result.status).toBe(401);
    expect(await result.json()).toEqual({ error: 'webhook_unverified' });
    expect(lines).toEqual([expect.objectContaining({ code: 'webhook_unverified' })]);
    expect(await refreshStatus(app, jar)).toBe(200);
  });

  it('refuses a body over 64 KB with 413 while reading it, Content-Length or not', async () => {
    const big = 'x'.repeat(65 * 1024);
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 65; i++)
          controller.enqueue(new TextEncoder().encode(big.slice(0, 1024)));
        controller.close();
      },
    });
    const request = new Request('http://127.0.0.1:3999/api/webhooks/scalekit', {
      method: 'POST',
      body: chunked,
      // @ts-expect-error Node's fetch needs it for a stream body
      duplex: 'half',
      headers: delivery().headers,
    });
    const { NextRequest } = await import('next/server');
    const { result, lines } = await captureAuthLog(async () => {
      const streamed = await app.webhook(new NextRequest(request));
      const declared = await call(app.webhook, '/api/webhooks/scalekit', {
        ...delivery(),
        body: big,
      });
      return [streamed.status, declared.status];
    });
    expect(result).toEqual([413, 413]);
    expect(lines.map((line) => line.code)).toEqual(['payload_too_large', 'payload_too_large']);
  });

  it('refuses a verified body that is not an event with 400, never a 500', async () => {
    const notAnEvent = delivery();
    const webhookId = notAnEvent.headers['webhook-id']!;
    const timestamp = notAnEvent.headers['webhook-timestamp']!;
    const body = '["not", "an", "event"]';
    const { result } = await captureAuthLog(() =>
      call(app.webhook, '/api/webhooks/scalekit', {
        ...notAnEvent,
        body,
        headers: {
          ...notAnEvent.headers,
          'webhook-signature': `v1,${sign(SECRET, webhookId, timestamp, body)}`,
        },
      }),
    );
    expect(result.status).toBe(400);
  });

  it('answers 200 to event types it does not know', async () => {
    const response = await call(
      app.webhook,
      '/api/webhooks/scalekit',
      delivery({ type: 'organization.directory.group_created', data: { id: 'dirgroup_1' } }),
    );
    expect(response.status).toBe(200);
  });
});

describe('POST /api/webhooks/scalekit: what a verified event ends', () => {
  it('user.logout webhook: revokes that session exactly as /logout does (refresh refused)', async () => {
    const app = await loadAppInstance({});
    const { jar } = await signIn(app);
    const other = await signIn(app);
    const { sid, sub } = await sessionOf(jar);
    const response = await call(
      app.webhook,
      '/api/webhooks/scalekit',
      delivery(userLogout(sid, sub)),
    );
    expect(response.status).toBe(200);
    expect(await refreshStatus(app, jar)).toBe(401);
    // Another session of the same person is not the one that signed out.
    expect(await refreshStatus(app, other.jar)).toBe(200);
  });

  it('membership removed: ends the member’s sessions in that organization, not in others', async () => {
    const app = await loadAppInstance({});
    const { jar } = await signIn(app, 'member');
    const { sub, oid } = await sessionOf(jar);
    const removal = delivery(membershipDeleted(sub, 'org_other0001'));
    expect((await call(app.webhook, '/api/webhooks/scalekit', removal)).status).toBe(200);
    expect(await refreshStatus(app, jar)).toBe(200);
    const removed = delivery(membershipDeleted(sub, oid));
    expect((await call(app.webhook, '/api/webhooks/scalekit', removed)).status).toBe(200);
    expect(await refreshStatus(app, jar)).toBe(401);
  });

  it('membership removed: refused by the middleware with strict revocation (here at once: the test loads both in one module graph)', async () => {
    const upstash = await startUpstash();
    try {
      const app = await loadAppInstance({
        UPSTASH_REDIS_REST_URL: upstash.url,
        UPSTASH_REDIS_REST_TOKEN: upstash.token,
        SESSION_REVOCATION: 'strict',
      });
      const { jar } = await signIn(app, 'member');
      const { sub, oid } = await sessionOf(jar);
      const before = await call(app.protect, '/dashboard', { jar, headers: DOCUMENT });
      expect(before.headers.get('x-middleware-next')).toBe('1');
      const removed = delivery(membershipDeleted(sub, oid));
      expect((await call(app.webhook, '/api/webhooks/scalekit', removed)).status).toBe(200);
      const { result } = await captureAuthLog(() =>
        strictVerdict(() => call(app.protect, '/dashboard', { jar, headers: DOCUMENT }), passes),
      );
      expect(result.status).toBe(303);
      expect(result.headers.get('location')).toMatch(/\/login\?returnTo=/);
    } finally {
      await upstash.close();
    }
  });

  it('a deleted organization ends everyone’s sessions in it; a deleted user all of theirs', async () => {
    const app = await loadAppInstance({});
    const member = await signIn(app, 'member');
    const admin = await signIn(app, 'admin');
    const other = await signIn(app, 'other');
    const deleted = delivery({
      type: 'organization.deleted',
      data: { id: 'org_acme0001', display_name: 'Acme' },
    });
    expect((await call(app.webhook, '/api/webhooks/scalekit', deleted)).status).toBe(200);
    expect(await refreshStatus(app, member.jar)).toBe(401);
    expect(await refreshStatus(app, admin.jar)).toBe(401);
    expect(await refreshStatus(app, other.jar)).toBe(200);
    const userDeleted = delivery({ type: 'user.deleted', data: { userId: 'usr_globex_admin' } });
    expect((await call(app.webhook, '/api/webhooks/scalekit', userDeleted)).status).toBe(200);
    expect(await refreshStatus(app, other.jar)).toBe(401);
  });

  it('ends sessions as of when the event happened: a late retry spares a sign-in made since', async () => {
    const app = await loadAppInstance({});
    const { jar } = await signIn(app, 'member');
    const { sub, oid } = await sessionOf(jar);
    const happened = new Date(Date.now() - 60_000).toISOString();
    const removed = delivery({ ...membershipDeleted(sub, oid), occurredAt: happened });
    expect((await call(app.webhook, '/api/webhooks/scalekit', removed)).status).toBe(200);
    expect(await refreshStatus(app, jar)).toBe(200);
  });
});

describe('POST /api/webhooks/scalekit: onWebhook and de-duplication', () => {
  let upstash: LocalUpstash;
  beforeAll(async () => {
    upstash = await startUpstash();
  });
  afterAll(() => upstash?.close());
  afterEach(() => {
    vi.doUnmock('@/lib/server/auth-hooks');
  });
  const shared = () => ({
    UPSTASH_REDIS_REST_URL: upstash.url,
    UPSTASH_REDIS_REST_TOKEN: upstash.token,
  });

  it('hands onWebhook the typed event, once per webhook-id, across instances', async () => {
    const seen: WebhookEvent[] = [];
    const hook = (event: WebhookEvent) => void seen.push(event);
    const first = await appWithHook(hook, shared());
    const second = await appWithHook(hook, shared());
    const once = delivery(membershipDeleted('usr_someone', 'org_acme0001'));
    expect((await call(first.webhook, '/api/webhooks/scalekit', once)).status).toBe(200);
    expect((await call(second.webhook, '/api/webhooks/scalekit', once)).status).toBe(200);
    expect((await call(first.webhook, '/api/webhooks/scalekit', once)).status).toBe(200);
    expect(seen).toHaveLength(1);
    const [event] = seen;
    expect(event).toMatchObject({
      known: true,
      type: 'user.organization_membership_deleted',
      webhookId: once.headers['webhook-id'],
      organizationId: 'org_acme0001',
      data: { user: { id: 'usr_someone' }, organization: { id: 'org_acme0001' } },
    });
  });

  it('answers 500 when onWebhook fails, keeps the revocation, and runs the hook on the retry', async () => {
    let failing = true;
    const seen: string[] = [];
    const app = await appWithHook((event) => {
      seen.push(event.type);
      if (failing) throw new Error('database down');
    }, shared());
    const { jar } = await signIn(app);
    const { sid, sub } = await sessionOf(jar);
    const logout = delivery(userLogout(sid, sub));
    const { result, lines } = await captureAuthLog(() =>
      call(app.webhook, '/api/webhooks/scalekit', logout),
    );
    expect(result.status).toBe(500);
    expect(await result.json()).toEqual({ error: 'webhook_hook_failed' });
    expect(lines).toEqual([expect.objectContaining({ code: 'webhook_hook_failed' })]);
    expect(await refreshStatus(app, jar)).toBe(401);
    failing = false;
    expect((await call(app.webhook, '/api/webhooks/scalekit', logout)).status).toBe(200);
    expect(seen).toEqual(['user.logout', 'user.logout']);
  });
});
