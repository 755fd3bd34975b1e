import { ScalekitClient } from '@scalekit-sdk/node';
import type { Services } from '../support/services';
import type { MeasureOptions, Task } from './measure';

/**
 * (c) The seed cookbook's per-request check with the real SDK: `validateAccessToken(token)` and,
 * when true, `validateToken(token)` for the claims. Warm: the client fetched `/keys` once before.
 */
export async function seedTask(
  services: Services,
  token: string,
  runs: MeasureOptions,
): Promise<Task> {
  const scalekit = new ScalekitClient(services.issuerUrl, services.clientId, services.clientSecret);
  const op = async () => {
    if (!(await scalekit.validateAccessToken(token))) throw new Error('seed: token rejected');
    const claims = await scalekit.validateToken<{ sub?: string }>(token);
    if (!claims.sub) throw new Error('seed: no sub');
  };
  await op();
  return { id: 'c', label: 'seed: SDK validateAccessToken + validateToken', op, runs };
}
