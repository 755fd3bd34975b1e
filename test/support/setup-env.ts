import { inject } from 'vitest';
import { M2M_AUDIENCE } from '../tools/scalekit-stand-in/m2m-clients';

// Every suite talks to the local issuer started by global-issuer.ts, as the app would talk to
// Scalekit. Values are set before any module reads its configuration.
process.env.SCALEKIT_ENV_URL = inject('issuerUrl');
process.env.SCALEKIT_CLIENT_ID = inject('clientId');
process.env.SCALEKIT_CLIENT_SECRET = inject('clientSecret');
process.env.APP_URL = 'http://127.0.0.1:3999';
process.env.SESSION_COOKIE_SECRET = 'test-session-secret-0123456789abcdef';
// The signing secret of the app's webhook endpoint (a whsec_ secret, as the dashboard shows it).
process.env.SCALEKIT_WEBHOOK_SECRET = 'whsec_dGVzdC13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVm';
// The audience the stand-in's M2M client is registered with.
process.env.SCALEKIT_API_AUDIENCE = M2M_AUDIENCE;

// Unit tests never leave the machine: only loopback is reachable.
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(url.hostname)) {
    return Promise.reject(new TypeError(`network blocked in tests: ${url.host}`));
  }
  return realFetch(input, init);
};
