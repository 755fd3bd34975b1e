/**
 * Child-process entry: the local Scalekit stand-in and the local Upstash endpoint, kept out of the
 * bench's own process so that load generation and the services never share one event loop.
 * Prints one JSON line `{"services": {...}}` once both answer, and stops both on SIGTERM.
 */
import { startIssuer } from '../../scalekit-stand-in';
import { startUpstash } from '../../upstash-endpoint/start-upstash';

const ttl = Number(process.env.BENCH_ACCESS_TOKEN_TTL_SECONDS ?? 3600);
const issuer = await startIssuer({ accessTokenTtlSeconds: ttl });
const upstash = await startUpstash().catch(async (error: unknown) => {
  await issuer.close();
  throw error;
});

console.log(
  JSON.stringify({
    services: {
      issuerUrl: issuer.url,
      clientId: issuer.clientId,
      clientSecret: issuer.clientSecret,
      upstashUrl: upstash.url,
      upstashToken: upstash.token,
      redisPort: upstash.redis.port,
    },
  }),
);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void Promise.allSettled([upstash.close(), issuer.close()]).then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
