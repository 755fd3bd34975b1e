import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ScalekitClient } from '@scalekit-sdk/node';
import type { RunningIssuer } from '../tools/scalekit-stand-in';
import { WebhookSender } from '../tools/scalekit-stand-in/webhooks';
import { issuerWithSdk, POST_LOGOUT_URI, signIn, signInAgain } from './scalekit-sdk-flows';

interface Received {
  headers: Record<string, string>;
  body: string;
}

/** An endpoint that records deliveries and answers each with the next status of `statuses`. */
async function receiver(statuses: number[] = []) {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers = Object.fromEntries(
        ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-type'].map((name) => [
          name,
          String(req.headers[name] ?? ''),
        ]),
      );
      received.push({ headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  return { url, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('the stand-in’s webhooks, as the SDK verifies them', () => {
  let issuer: RunningIssuer;
  let scalekit: ScalekitClient;
  let endpoint: Awaited<ReturnType<typeof receiver>>;
  const secret = WebhookSender.newSecret();

  beforeAll(async () => {
    ({ issuer, scalekit } = await issuerWithSdk());
  });
  afterEach(() => endpoint?.close());
  afterAll(() => issuer.close());

  it('user.logout webhook: a sign-out at the hosted page names the ended session, signed as the SDK verifies', async () => {
    endpoint = await receiver();
    issuer.webhooks.register(endpoint.url, secret);
    const { accessToken, idToken, browser } = await signIn(scalekit, 'admin');
    const { sid, sub, oid } = decodeJwt(accessToken);
    await browser.logout(
      scalekit.getLogoutUrl({ idTokenHint: idToken, postLogoutRedirectUri: POST_LOGOUT_URI }),
    );
    await issuer.webhooks.settled(0);
    expect(endpoint.received).toHaveLength(1);
    const [{ headers, body }] = endpoint.received as [Received];
    expect(scalekit.verifyWebhookPayload(secret, headers, body)).toBe(true);
    expect(headers['content-type']).toBe('application/json');
    const event = JSON.parse(body);
    // The envelope of the developer docs' OpenAPI `webhooks:` section.
    expect(event).toMatchObject({
      spec_version: '1',
      id: headers['webhook-id'],
      type: 'user.logout',
      object: 'User',
      organization_id: oid,
      data: { user: { id: sub }, user_session: { session_id: sid, user_id: sub } },
    });
    expect(Date.parse(event.occurred_at)).not.toBeNaN();
    // Another secret, or a changed body, does not verify.
    expect(() => scalekit.verifyWebhookPayload(WebhookSender.newSecret(), headers, body)).toThrow();
    expect(() => scalekit.verifyWebhookPayload(secret, headers, `${body} `)).toThrow();
  });

  it('retries a delivery that does not answer 2xx three times, with the same webhook-id', async () => {
    endpoint = await receiver([500, 503, 500, 200]);
    const sender = new WebhookSender();
    sender.register(endpoint.url, secret);
    await sender.emit('organization.updated', { id: 'org_acme0001' }, 'org_acme0001');
    expect(endpoint.received).toHaveLength(4);
    expect(new Set(endpoint.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    for (const { headers, body } of endpoint.received) {
      expect(scalekit.verifyWebhookPayload(secret, headers, body)).toBe(true);
    }
    expect(sender.deliveries()).toMatchObject([
      { statuses: [500, 503, 500, 200], delivered: true },
    ]);
  });

  it('gives up after the third retry', async () => {
    endpoint = await receiver([500, 500, 500, 500, 200]);
    const sender = new WebhookSender();
    sender.register(endpoint.url, secret);
    await sender.emit('organization.updated', { id: 'org_acme0001' });
    expect(endpoint.received).toHaveLength(4);
    expect(sender.deliveries()).toMatchObject([{ delivered: false }]);
  });
});

describe('the stand-in’s token modes, through the SDK', () => {
  let issuer: RunningIssuer;
  let scalekit: ScalekitClient;

  beforeAll(async () => {
    ({ issuer, scalekit } = await issuerWithSdk());
  });
  afterEach(() => issuer.setTokenMode({}));
  afterAll(() => issuer.close());

  it('without nonce: the ID token leaves out the nonce the app sent', async () => {
    const usual = await signIn(scalekit, 'admin');
    expect(decodeJwt(usual.idToken).nonce).toBe(usual.nonce);
    issuer.setTokenMode({ omitNonce: true });
    const { idToken } = await signIn(scalekit, 'admin');
    expect(decodeJwt(idToken)).not.toHaveProperty('nonce');
  });

  it('null claims: roles and permissions are sent as null', async () => {
    issuer.setTokenMode({ nullClaims: true });
    const { accessToken } = await signIn(scalekit, 'admin');
    expect(decodeJwt(accessToken)).toMatchObject({ roles: null, permissions: null });
    expect(decodeJwt(accessToken).sid).toMatch(/^ses_/);
  });

  it('auth_time: none by default, even after prompt=login (Scalekit documents none); a number or null when asked', async () => {
    const forced = await signIn(scalekit, 'admin', { prompt: 'login' });
    expect(decodeJwt(forced.idToken)).not.toHaveProperty('auth_time');
    issuer.setTokenMode({ authTime: 'number' });
    const before = Math.floor(Date.now() / 1000);
    const { idToken, browser } = await signIn(scalekit, 'admin');
    const authTime = decodeJwt(idToken).auth_time;
    expect(authTime).toBeGreaterThanOrEqual(before - 1);
    // A silent sign-in on the same session says when that session authenticated, not now.
    expect(decodeJwt((await signInAgain(scalekit, browser)).idToken).auth_time).toBe(authTime);
    issuer.setTokenMode({ authTime: 'null' });
    expect(decodeJwt((await signIn(scalekit, 'admin')).idToken).auth_time).toBeNull();
  });

  it('Modular SSO: access tokens without sid, oid, roles or permissions, sub naming the connection', async () => {
    issuer.setTokenMode({ modularSso: true });
    const { accessToken } = await signIn(scalekit, 'admin');
    const claims = decodeJwt(accessToken);
    for (const claim of ['sid', 'oid', 'roles', 'permissions']) {
      expect(claims).not.toHaveProperty(claim);
    }
    expect(claims.sub).toMatch(/^conn_[^;]+;admin@acme\.test$/);
  });
});
