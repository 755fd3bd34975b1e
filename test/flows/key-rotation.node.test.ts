import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { call, DOCUMENT, expectErrorJson, signIn } from '../support/app';
import { loadAppInstance } from '../support/app-instance';
import { resignAccessToken } from '../support/expired-session';
import { issuerControl } from '../support/issuer-control';
import { deletedCookies } from '../support/session-jar';

const control = issuerControl(inject('issuerUrl'));
const keyFetches = async () => (await control.counts()).keys ?? 0;

describe('a key rotation never signs anyone out', () => {
  afterEach(() => vi.restoreAllMocks());

  it('key rotation during the cooldown keeps the session: a retry page or a 503, cookies kept, then the new key once the cooldown allows a refetch', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const app = await loadAppInstance({});
    const { jar } = await signIn(app);
    // From here the app's clock stands still unless moved by hand past the 30 s unknown-kid
    // cooldown (lib/edge/jwks.ts; jose's own time checks use the real clock).
    const frozenAt = Date.now();
    let offsetMs = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => frozenAt + offsetMs);
    // A stray unknown kid spends the refetch and starts the cooldown.
    const stray = jar.clone();
    await resignAccessToken(stray, undefined, { kid: 'snk_stray' });
    const refused = await call(app.protect, '/dashboard', { jar: stray, headers: DOCUMENT });
    expect(refused.headers.get('location')).toMatch(/\/login\?returnTo=/);

    // Scalekit rotates its key within the cooldown; the person's next token is signed with it.
    await control.rotateKeys();
    await resignAccessToken(jar);
    const before = await keyFetches();
    offsetMs = 29_000;

    const page = await call(app.protect, '/dashboard', { jar, headers: DOCUMENT });
    expect(page.status).toBe(503);
    expect(page.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await page.text()).toContain('Error code: jwks_unavailable');
    expect(deletedCookies(page)).toEqual([]);
    const api = await call(app.protect, '/api/protected/me', { jar });
    await expectErrorJson(api, 503, 'jwks_unavailable');
    expect(deletedCookies(api)).toEqual([]);
    expect((await keyFetches()) - before).toBe(0);
    const failures = warn.mock.calls
      .map((args) => String(args[0]))
      .filter((line) => line.startsWith('{"event":"auth_failure"'));
    expect(failures.map((line) => JSON.parse(line).code)).toEqual([
      'unauthenticated',
      'jwks_unavailable',
      'jwks_unavailable',
    ]);

    offsetMs = 30_000;
    const after = await call(app.protect, '/api/protected/me', { jar });
    expect(after.headers.get('x-middleware-next')).toBe('1');
    expect((await keyFetches()) - before).toBe(1);
  });
});
