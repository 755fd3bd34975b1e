import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';
import type { RunningIssuer } from '../tools/scalekit-stand-in';
import { WebhookSender } from '../tools/scalekit-stand-in/webhooks';

/**
 * A webhook endpoint registered on the issuer for the current test: `next()` resolves with the
 * next event body it receives, in order. It answers 204 and checks no signature (the app's webhook
 * route does that, with the SDK).
 */
export async function webhookReceiver(issuer: RunningIssuer) {
  const events: Array<Record<string, unknown>> = [];
  const waiting: Array<(event: Record<string, unknown>) => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      res.writeHead(204).end();
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      const waiter = waiting.shift();
      if (waiter) waiter(event);
      else events.push(event);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  issuer.webhooks.register(`http://127.0.0.1:${port}/hook`, WebhookSender.newSecret());
  return {
    next: () =>
      new Promise<Record<string, unknown>>((resolve) => {
        const event = events.shift();
        if (event) resolve(event);
        else waiting.push(resolve);
      }),
  };
}
