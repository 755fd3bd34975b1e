import { NextResponse, type NextRequest } from 'next/server';
import { AuthError, isAuthError } from '@/lib/edge/errors';
import { noStore } from '@/lib/edge/responses';
import { authHooks } from '@/lib/server/auth-hooks';
import { serverConfig, webhookSecret } from '@/lib/server/env';
import { readAtMost } from '@/lib/server/read-body';
import { authRoute, failRoute } from '@/lib/server/route-handler';
import { getStore } from '@/lib/server/store/get-store';
import { readWebhookEvent } from '@/lib/server/webhook-event';
import { revokeForWebhook } from '@/lib/server/webhook-revocations';

const MAX_BODY_BYTES = 64 * 1024;
/** How long one instance may hold a delivery before another may take over Scalekit's retry. */
const PROCESSING_TTL_MS = 60_000;
/** How long a handled `webhook-id` is remembered: Scalekit's retries of one delivery fall inside. */
const HANDLED_TTL_MS = 24 * 60 * 60_000;

/**
 * Scalekit's webhooks (register `<APP_URL>/api/webhooks/scalekit` with its `whsec_…` secret in
 * `SCALEKIT_WEBHOOK_SECRET`). A verified event revokes what it says lost access
 * (`revokeForWebhook`), then runs your `onWebhook` hook, and answers 200; the same `webhook-id`
 * has one effect, across instances. 401 `webhook_unverified` for a bad signature or timestamp,
 * 413 `payload_too_large` over 64 KB, 400 `invalid_request` for a verified body that is no event,
 * 409 while another instance handles the same delivery, 503 `store_unavailable` and 500
 * `webhook_hook_failed` for Scalekit to retry (revocations already made stay made).
 */
export const POST = authRoute({ rateLimit: 'webhooks' }, async (request: NextRequest) => {
  const config = serverConfig();
  const secret = webhookSecret();
  const body = await readAtMost(request, MAX_BODY_BYTES);
  if (body === null) return failRoute(request, new AuthError('payload_too_large', 'over 64 KB'));
  let event;
  try {
    event = readWebhookEvent(body, request.headers, secret);
  } catch (err) {
    if (isAuthError(err)) return failRoute(request, err);
    throw err;
  }

  const store = getStore();
  const key = `webhook:id:${event.webhookId}`;
  const owner = `pending:${crypto.randomUUID()}`;
  const release = () => store.deleteIfEquals(key, owner).catch(() => false);
  try {
    if (!(await store.setIfAbsent(key, owner, PROCESSING_TTL_MS))) {
      if ((await store.get(key)) === 'done') return ok();
      return failRoute(request, new AuthError('webhook_in_progress', 'another instance has it'));
    }
    await revokeForWebhook(event, store, config);
  } catch (err) {
    await release();
    if (isAuthError(err, 'store_unavailable')) return failRoute(request, err);
    throw err;
  }
  try {
    await authHooks.onWebhook?.(event);
  } catch {
    await release();
    return failRoute(
      request,
      new AuthError('webhook_hook_failed', `onWebhook threw on ${event.type}`),
    );
  }
  // Not remembered (the store failed just now): a retry runs the hook again, and revokes again
  // with the same effect.
  await store.set(key, 'done', HANDLED_TTL_MS).catch(() => undefined);
  return ok();
});

function ok() {
  return noStore(new NextResponse(null, { status: 200 }));
}
