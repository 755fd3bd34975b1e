import { NextRequest } from 'next/server';
import { describe, expect, inject, it } from 'vitest';
import { protect } from '@/lib/edge/protect';
import { mintSession } from '../kit/mint-session';
import { standInSigner } from '../kit/signers';
import { captureAuthLog } from '../support/auth-log';

const signer = standInSigner(inject('issuerUrl'), inject('clientId'));
const secret = process.env.SESSION_COOKIE_SECRET!;
const DOCUMENT = { 'sec-fetch-mode': 'navigate', accept: 'text/html' };

describe('the test kit (edge project, inside @edge-runtime/vm)', () => {
  it('mints cookies a NextRequest carries through the middleware', async () => {
    expect(typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime).toBe('string');
    const session = await mintSession({ signer, secret, roles: ['admin'] });
    const response = await protect(
      new NextRequest('http://127.0.0.1:3999/dashboard', {
        headers: { ...DOCUMENT, cookie: session.cookieHeader('/dashboard') },
      }),
    );
    expect(response.headers.get('x-middleware-next')).toBe('1');
  });

  it('mints an expired session, which the middleware sends through /api/refresh', async () => {
    const session = await mintSession({ signer, secret, expired: true });
    const { result: response, lines } = await captureAuthLog(() =>
      protect(
        new NextRequest('http://127.0.0.1:3999/dashboard', {
          headers: { ...DOCUMENT, cookie: session.cookieHeader('/dashboard') },
        }),
      ),
    );
    expect(lines).toEqual([
      expect.objectContaining({ code: 'token_expired', route: '/dashboard', kind: 'document' }),
    ]);
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe(
      'http://127.0.0.1:3999/api/refresh?returnTo=%2Fdashboard',
    );
  });
});
