import { once } from 'node:events';
import { spawnChild } from './children';

/**
 * `next build` in `cwd` with the `next` at `nextBin`; resolves to how long it took, in ms. The
 * build gets this process's environment without any auth configuration (Scalekit, WorkOS,
 * Auth0, sessions, Upstash): every variant reads its configuration at run time, and this keeps
 * it so.
 */
export async function nextBuild(name: string, nextBin: string, cwd: string): Promise<number> {
  const env: NodeJS.ProcessEnv = { NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' };
  for (const [variable, value] of Object.entries(process.env)) {
    if (
      !/^(SCALEKIT_|WORKOS_|AUTH0_|APP_URL|APP_BASE_URL|SESSION_|UPSTASH_|KV_|NODE_ENV)/.test(
        variable,
      )
    ) {
      env[variable] = value;
    }
  }
  const started = Date.now();
  const child = spawnChild(name, process.execPath, [nextBin, 'build'], { cwd, env });
  const [code, signal] = (await once(child.process, 'exit')) as [number | null, string | null];
  if (code !== 0) throw new Error(`${name} failed (${code ?? signal}):\n${child.output()}`);
  return Date.now() - started;
}
