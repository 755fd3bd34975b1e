import { fileURLToPath } from 'node:url';
import type { JWSHeaderParameters, JWTPayload } from 'jose';
import { issuerControl } from '../../../support/issuer-control';
import { spawnChild, stopChild, type Child } from './children';
import { ROOT } from './paths';

/** The running stand-ins, reachable from this process over loopback only. */
export interface Services {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  upstashUrl: string;
  upstashToken: string;
  redisPort: number;
  issuer: ReturnType<typeof issuerControl> & {
    /** Adds redirect and post-logout URIs for an app origin. */
    registerApp(appUrl: string): Promise<void>;
    /** Requests to `/keys` so far (the JWKS endpoint). */
    keysFetches(): Promise<number>;
    /** Requests to `/oauth/token` so far (code exchanges and refresh redemptions). */
    tokenRequests(): Promise<number>;
    signJwt(payload: JWTPayload, header?: JWSHeaderParameters): Promise<string>;
  };
  stop(): Promise<void>;
}

/** Starts test/tools/bench/support/services-main.ts and waits for its ready line. */
export async function startServices(accessTokenTtlSeconds: number): Promise<Services> {
  const child = spawnChild(
    'services',
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./services-main.ts', import.meta.url))],
    {
      cwd: ROOT,
      env: { ...process.env, BENCH_ACCESS_TOKEN_TTL_SECONDS: String(accessTokenTtlSeconds) },
    },
  );
  const ready = await readyLine(child);
  const control = issuerControl(ready.issuerUrl);
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${ready.issuerUrl}/__control/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`issuer control ${path}: HTTP ${response.status}`);
  };
  return {
    ...ready,
    issuer: {
      ...control,
      registerApp: (appUrl) =>
        post('client', {
          redirectUris: [`${appUrl}/api/callback`],
          postLogoutRedirectUris: [`${appUrl}/auth/signed-out`],
        }),
      keysFetches: async () => (await control.counts()).keys ?? 0,
      tokenRequests: async () => (await control.counts()).token ?? 0,
      signJwt: (payload, header) => control.sign(payload, header),
    },
    stop: () => stopChild(child),
  };
}

type Ready = Omit<Services, 'issuer' | 'stop'>;

async function readyLine(child: Child): Promise<Ready> {
  return new Promise<Ready>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => fail(new Error('services did not start within 30 s')), 30_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(new Error(`${error.message}\n${child.output()}`));
    };
    child.process.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const line of buffer.split('\n')) {
        if (!line.startsWith('{"services"')) continue;
        clearTimeout(timer);
        resolve((JSON.parse(line) as { services: Ready }).services);
        return;
      }
    });
    child.process.once('exit', (code) => fail(new Error(`services exited early (${code})`)));
  });
}

/** What an app instance needs to run against the stand-ins, with its session secret. */
export function appEnv(services: Services, secret: string): Record<string, string> {
  return {
    SCALEKIT_ENV_URL: services.issuerUrl,
    SCALEKIT_CLIENT_ID: services.clientId,
    SCALEKIT_CLIENT_SECRET: services.clientSecret,
    SESSION_COOKIE_SECRET: secret,
  };
}
