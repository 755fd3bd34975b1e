import type { RunningIssuer } from '../../tools/scalekit-stand-in';
import { copyProduct } from './app-copy';
import { appEnvironment } from './app-environment';
import { nextBuild, nextStart, type NextServer } from './next-process';

export interface ServedCopy {
  app: NextServer;
  issuer: RunningIssuer;
  /** The copy's folder (its build is in `.next`). */
  dir: string;
  /** The copy's SESSION_COOKIE_SECRET, for tests that seal cookies as it does. */
  secret: string;
  /** Stops the server and the stand-in, and removes the copy. */
  stop(): Promise<void>;
}

/**
 * A copy of the product with `change` applied (`copyProduct`), built for production and served
 * on a free port against its own local stand-in.
 *
 * @example
 * const served = await serveProductCopy((dir) => rename(join(dir, 'middleware.ts'), join(dir, 'proxy.ts')));
 * await send(`${served.app.url}/dashboard`);
 * await served.stop();
 */
export async function serveProductCopy(
  change: (dir: string) => Promise<void>,
): Promise<ServedCopy> {
  const { issuer, port, values } = await appEnvironment();
  let copy: Awaited<ReturnType<typeof copyProduct>> | undefined;
  try {
    copy = await copyProduct(change);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      ...values,
    };
    await nextBuild(copy.dir, env);
    const app = await nextStart(copy.dir, port, env);
    const { dir, remove } = copy;
    const stop = async () => {
      await app.stop();
      await issuer.close();
      await remove();
    };
    return { app, issuer, dir, secret: values.SESSION_COOKIE_SECRET, stop };
  } catch (error) {
    await issuer.close();
    await copy?.remove();
    throw error;
  }
}
