import { createHmac, randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { scalekitId } from './ids';

/** One attempt to deliver one event to one endpoint: the HTTP status, or 0 when none came back. */
export interface WebhookDelivery {
  readonly webhookId: string;
  readonly type: string;
  readonly url: string;
  readonly statuses: number[];
  /** True once an attempt answered 2xx, false once the retries ran out, undefined meanwhile. */
  delivered: boolean | undefined;
}

/**
 * Scalekit retries a delivery that does not answer 2xx three times (scalekit-facts.md, "Webhooks").
 * The stand-in waits only briefly between attempts so tests see the retries; Scalekit's own
 * schedule is not published.
 */
const RETRIES = 3;
const RETRY_DELAY_MS = 100;

/**
 * Signs and sends webhooks the way Scalekit does: Standard Webhooks headers (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
 * keyed by the base64 part of the endpoint's `whsec_…` secret, as the SDK's `verifyWebhookPayload`
 * checks it), a JSON body in the envelope of the developer docs' OpenAPI `webhooks:` section
 * (`spec_version`, `id`, `type`, `object`, `occurred_at`, `environment_id`, `organization_id`,
 * `data`), and the same `webhook-id` on every retry of one event.
 */
export class WebhookSender {
  readonly #endpoints = new Map<string, string>();
  readonly #deliveries: WebhookDelivery[] = [];
  readonly #settling = new EventEmitter();
  readonly #environmentId = scalekitId('env');

  /** A new endpoint secret in the dashboard's `whsec_<base64>` format. */
  static newSecret(): string {
    return `whsec_${randomBytes(32).toString('base64')}`;
  }

  /** Sends every later event to `url` too, signed with `secret` (`whsec_…`). */
  register(url: string, secret: string): void {
    if (!URL.canParse(url)) throw new TypeError(`not an absolute URL: ${url}`);
    if (!/^whsec_[A-Za-z0-9+/]+=*$/.test(secret)) throw new TypeError('secret must be whsec_…');
    this.#endpoints.set(url, secret);
  }

  /** What was sent so far, oldest first (copies). */
  deliveries(): WebhookDelivery[] {
    return this.#deliveries.map((delivery) => ({ ...delivery, statuses: [...delivery.statuses] }));
  }

  /**
   * Resolves once the delivery at `index` (oldest first, as {@link deliveries} lists them) exists
   * and has settled: delivered, or given up after its retries. Deliveries start after the
   * stand-in's own response (a sign-out, say), so a test waits here rather than polling.
   *
   * @example
   * const before = sender.deliveries().length;
   * await browser.logout(url);
   * await sender.settled(before);
   */
  async settled(index: number): Promise<void> {
    while (this.#deliveries[index]?.delivered === undefined) await once(this.#settling, 'settled');
  }

  /**
   * Sends one event to every registered endpoint, retrying each until it answers 2xx or the
   * retries run out. Resolves when every endpoint is done; never rejects.
   */
  async emit(type: string, data: Record<string, unknown>, organizationId?: string): Promise<void> {
    const id = scalekitId('evt');
    const body = JSON.stringify({
      spec_version: '1',
      id,
      type,
      object: objectOf(type),
      occurred_at: new Date().toISOString(),
      environment_id: this.#environmentId,
      ...(organizationId === undefined ? {} : { organization_id: organizationId }),
      data,
    });
    await Promise.all(
      [...this.#endpoints].map(([url, secret]) => this.#deliver(url, secret, id, type, body)),
    );
  }

  async #deliver(url: string, secret: string, id: string, type: string, body: string) {
    const delivery: WebhookDelivery = {
      webhookId: id,
      type,
      url,
      statuses: [],
      delivered: undefined,
    };
    this.#deliveries.push(delivery);
    for (let attempt = 0; attempt <= RETRIES; attempt++) {
      if (attempt > 0)
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * attempt));
      const timestamp = String(Math.floor(Date.now() / 1000));
      const status = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': timestamp,
          'webhook-signature': `v1,${sign(secret, id, timestamp, body)}`,
        },
        body,
        signal: AbortSignal.timeout(10_000),
      }).then(
        async (response) => {
          await response.arrayBuffer();
          return response.status;
        },
        () => 0,
      );
      delivery.statuses.push(status);
      if (status >= 200 && status < 300) {
        delivery.delivered = true;
        this.#settling.emit('settled');
        return;
      }
    }
    delivery.delivered = false;
    this.#settling.emit('settled');
  }
}

/** The signature the SDK's `verifyPayloadSignature` computes: HMAC-SHA256 over `id.timestamp.body`. */
export function sign(secret: string, id: string, timestamp: string, body: string): string {
  const key = Buffer.from(secret.split('_')[1] ?? '', 'base64');
  return createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
}

/** The envelope's `object` per event type, as the OpenAPI's `webhooks:` examples give it. */
function objectOf(type: string): string {
  if (type === 'user.login' || type === 'user.logout') return 'User';
  if (type.startsWith('user.')) return 'OrgMembership';
  if (type.startsWith('organization.directory.user_')) return 'DirectoryUser';
  if (type.startsWith('organization.directory.group_')) return 'DirectoryGroup';
  if (type.startsWith('organization.directory_')) return 'Directory';
  if (type.startsWith('organization.sso_')) return 'Connection';
  return 'Organization';
}
