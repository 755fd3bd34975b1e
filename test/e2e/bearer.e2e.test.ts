import { describe, expect, it } from 'vitest';
import { M2M_CLIENT } from '../tools/scalekit-stand-in/m2m-clients';
import { APP_URL, ISSUER_URL } from './support/browser';
import { DOCUMENT, send } from './support/http-session';

/** What the README's curl recipe does: a client-credentials token from the stand-in. */
async function machineToken(): Promise<string> {
  const response = await fetch(`${ISSUER_URL}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: M2M_CLIENT.clientId,
      client_secret: M2M_CLIENT.clientSecret,
    }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('machine callers against the built app', () => {
  it('bearer: the built middleware and route serve an M2M client its API, and refuse its token for a page', async () => {
    const authorization = `Bearer ${await machineToken()}`;
    const api = await send(`${APP_URL}/api/protected/reports`, { headers: { authorization } });
    expect(api.status).toBe(200);
    expect(await api.json()).toEqual({
      caller: 'machine',
      client: M2M_CLIENT.clientId,
      organization: M2M_CLIENT.organizationId,
    });

    const page = await send(`${APP_URL}/dashboard`, { headers: { ...DOCUMENT, authorization } });
    expect(page.status).toBe(400);
    expect(page.headers.get('www-authenticate')).toBe('Bearer error="invalid_request"');

    const forged = await send(`${APP_URL}/api/protected/reports`, {
      headers: { authorization: `${authorization.slice(0, -4)}AAAA` },
    });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });
});
